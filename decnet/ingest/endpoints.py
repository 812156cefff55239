"""C2 endpoints: hosts and ports taken from URLs and shell commands.

An endpoint is written `host` or `host:port`: the host in lower case, an
internationalised name in its IDNA (punycode) form, IPv6 in brackets, the
scheme's default port dropped. Hosts on public hosting (code forges, paste
and file-transfer sites, package mirrors) are told apart so the clusterer
can treat them as weak evidence.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

DEFAULT_PORTS = {
    "http": 80,
    "https": 443,
    "ftp": 21,
    "tftp": 69,
    "ftps": 990,
    "ssh": 22,
    "telnet": 23,
}
_TOOLS = frozenset(
    {"wget", "curl", "tftp", "ftpget", "nc", "ncat", "netcat", "ssh", "ping", "telnet"}
)

# Suffix match: "raw.githubusercontent.com" and "github.com" both count. The
# addresses match only whole, because no suffix of an IPv4 address is one.
PUBLIC_HOSTING = frozenset(
    {
        # code forges and their raw-content hosts
        "github.com",
        "githubusercontent.com",
        "github.io",
        "gitlab.com",
        "bitbucket.org",
        "codeberg.org",
        "sourceforge.net",
        # paste sites
        "pastebin.com",
        "paste.ee",
        "hastebin.com",
        "ghostbin.com",
        "rentry.co",
        "termbin.com",
        "ix.io",
        "sprunge.us",
        "dpaste.org",
        # file transfer and sharing
        "transfer.sh",
        "catbox.moe",
        "file.io",
        "0x0.st",
        "mega.nz",
        "dropbox.com",
        "dropboxusercontent.com",
        "drive.google.com",
        "googleusercontent.com",
        "anonfiles.com",
        "gofile.io",
        "temp.sh",
        "discordapp.com",
        "cdn.discordapp.com",
        # package mirrors and registries
        "debian.org",
        "ubuntu.com",
        "archive.ubuntu.com",
        "centos.org",
        "fedoraproject.org",
        "alpinelinux.org",
        "pypi.org",
        "pythonhosted.org",
        "npmjs.org",
        "npmjs.com",
        "rubygems.org",
        "golang.org",
        "go.dev",
        "docker.com",
        "docker.io",
        "sh.rustup.rs",
        "raw.github.com",
        # public Monero mining pools, shared by unrelated miners
        "supportxmr.com",
        "moneroocean.stream",
        "2miners.com",
        "minexmr.com",
        "nanopool.org",
        "hashvault.pro",
        "c3pool.com",
        "xmrpool.eu",
        "herominers.com",
        "f2pool.com",
        # address echo services that bots query to learn their public IP
        "ipify.org",
        "ifconfig.me",
        "icanhazip.com",
        "ipinfo.io",
        "ident.me",
        "checkip.amazonaws.com",
        # public DNS resolvers, pinged as a connectivity check
        "8.8.8.8",
        "8.8.4.4",
        "1.1.1.1",
        "1.0.0.1",
        "9.9.9.9",
        "208.67.222.222",
        "208.67.220.220",
    }
)

_URL = re.compile(
    r"""\b(?:https?|ftps?|tftp|stratum\+(?:tcp|ssl|tls))://[^\s'"<>|;`()\\]+""",
    re.IGNORECASE,
)
# A bare `name.tld:port` token, as miners take `-o pool.example.net:3333`.
# The name must not follow a slash, dot, @ or word character, so URL hosts,
# paths and `user@host:path` do not match here.
_HOST_PORT = re.compile(
    r"(?<![\w./@:-])((?:[a-z0-9_-]+\.)+[a-z]{2,63}):(\d{1,5})(?![\w.:])",
    re.IGNORECASE,
)
_DEV_TCP = re.compile(r"/dev/(?:tcp|udp)/([^/\s'\"]+)/(\d{1,5})")
_IPV4 = re.compile(r"(?<![\w.])((?:\d{1,3}\.){3}\d{1,3})(?::(\d{1,5}))?(?![\w.])")
_SCP = re.compile(r"\bscp\b[^\n;|&]*?\s[\w.-]+@([\w.-]+):")
_TOOL = re.compile(
    r"\b(wget|curl|tftp|ftpget|nc|ncat|netcat|ssh|ping|telnet)\b", re.IGNORECASE
)
# ssh options that take a value, so the value is not read as the host.
_SSH_VALUE_OPTIONS = frozenset(
    {"-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O"}
    | {"-o", "-p", "-Q", "-R", "-S", "-W", "-w"}
)
_HOSTNAME = re.compile(r"^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.[a-z]{2,63}$")
_SEGMENT = re.compile(r"[;&|\n]+")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A normalised endpoint and whether it sits on public hosting."""

    value: str
    public: bool


def normalise_host(host: str) -> str | None:
    """Return the host in canonical form, or None when it is not a host name or IP."""
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or len(host) > 253:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(address)
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            return None
    if not _HOSTNAME.match(host):
        return None
    return host


def is_public_hosting(host: str) -> bool:
    """Tell whether `host` (normalised) or a parent domain is public hosting."""
    parts = host.split(".")
    return any(".".join(parts[i:]) in PUBLIC_HOSTING for i in range(len(parts) - 1))


def _is_routable(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return not (
        address.is_loopback
        or address.is_unspecified
        or address.is_multicast
        or address.is_link_local
        or (address.is_private and not _documentation(address))
        or address.is_reserved
    )


def _documentation(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in network for network in _DOCUMENTATION)


_DOCUMENTATION = tuple(
    ipaddress.ip_network(network)
    for network in (
        "192.0.2.0/24",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "2001:db8::/32",
    )
)


def make_endpoint(
    host: str, port: int | None, scheme: str | None = None
) -> Endpoint | None:
    """Build a normalised endpoint, or None for an invalid or unroutable host."""
    canonical = normalise_host(host)
    if canonical is None or not _is_routable(canonical):
        return None
    if port is not None and not 0 < port < 65536:
        return None
    if scheme is not None and DEFAULT_PORTS.get(scheme.lower()) == port:
        port = None
    shown = f"[{canonical}]" if ":" in canonical else canonical
    value = shown if port is None else f"{shown}:{port}"
    return Endpoint(value, is_public_hosting(canonical))


def endpoint_from_url(url: str) -> Endpoint | None:
    """Return the endpoint of a URL with a scheme and host, or None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return make_endpoint(parts.hostname, port, parts.scheme)


def _tool_endpoints(segment: str) -> list[Endpoint]:
    """Endpoints named as bare arguments of wget, curl, tftp, ftpget and nc."""
    found: list[Endpoint] = []
    words = segment.split()
    for index, word in enumerate(words):
        tool = word.rsplit("/", 1)[-1].lower()
        if tool not in _TOOLS:
            continue
        args = [w.strip("'\"") for w in words[index + 1 :]]
        if tool in ("ssh", "ping", "telnet"):
            endpoint = _login_host(tool, args)
            if endpoint:
                found.append(endpoint)
            continue
        positional = [a for a in args if a and not a.startswith("-")]
        if tool in ("wget", "curl"):
            for arg in positional:
                if "://" in arg:
                    continue
                host, _, rest = arg.partition("/")
                name, _, port_text = host.partition(":")
                port = int(port_text) if port_text.isdigit() else None
                endpoint = make_endpoint(name, port, "http")
                if endpoint and (rest or port or "." in name):
                    found.append(endpoint)
        elif tool in ("nc", "ncat", "netcat"):
            for position, arg in enumerate(positional[:-1]):
                nxt = positional[position + 1]
                if nxt.isdigit():
                    endpoint = make_endpoint(arg, int(nxt))
                    if endpoint:
                        found.append(endpoint)
                        break
        else:
            found.extend(_transfer_host(tool, args))
    return found


def _login_host(tool: str, args: list[str]) -> Endpoint | None:
    """Return the host of `ssh [user@]HOST`, `ping HOST` or `telnet HOST [PORT]`.

    Skips the values of ssh's value options. For ping, arguments that are
    not hosts (the values of `-c`, `-W` and the like) are passed over. The
    port is `-p` anywhere on an ssh line, or the argument after a telnet
    host.
    """
    host: str | None = None
    port: int | None = None
    skip = False
    for position, arg in enumerate(args):
        following = args[position + 1] if position + 1 < len(args) else ""
        if skip:
            skip = False
        elif arg.startswith("-"):
            if tool == "ssh" and arg in _SSH_VALUE_OPTIONS:
                if arg == "-p" and following.isdigit():
                    port = int(following)
                skip = True
        elif host is None:
            candidate = arg.rpartition("@")[2]
            if normalise_host(candidate) is not None:
                host = candidate
                if tool == "telnet" and following.isdigit():
                    port = int(following)
            elif tool != "ping":
                return None
    if host is None:
        return None
    return make_endpoint(host, port, tool if tool != "ping" else None)


def _transfer_host(tool: str, args: list[str]) -> list[Endpoint]:
    # tftp HOST [PORT] and ftpget [-P PORT] HOST LOCAL REMOTE: the first
    # positional argument that is a host, skipping option values.
    value_options = {"-r", "-l", "-c", "-g", "-p", "-u", "-P", "-m"}
    port: int | None = None
    skip = False
    for position, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg in value_options:
            if (
                arg == "-P"
                and position + 1 < len(args)
                and args[position + 1].isdigit()
            ):
                port = int(args[position + 1])
            skip = arg not in ("-g", "-p") or tool == "ftpget"
            continue
        if arg.startswith("-"):
            continue
        endpoint = make_endpoint(arg, port, "tftp" if tool == "tftp" else "ftp")
        if endpoint:
            return [endpoint]
    return []


def endpoints_from_command(command: str) -> list[Endpoint]:
    """Return the endpoints a shell command line reaches, in first-seen order.

    Covers URLs (also `stratum+tcp://`), bare hosts given to wget, curl,
    tftp, ftpget, nc, ssh, ping and telnet (with busybox prefixes),
    `/dev/tcp/HOST/PORT`, `scp user@host:`, `name.tld:port` tokens and bare
    public IPv4 addresses anywhere in the line.
    """
    found: dict[str, Endpoint] = {}

    def add(endpoint: Endpoint | None) -> None:
        if endpoint is not None and endpoint.value not in found:
            found[endpoint.value] = endpoint

    for match in _URL.finditer(command):
        add(endpoint_from_url(match.group(0)))
    for match in _DEV_TCP.finditer(command):
        add(make_endpoint(match.group(1), int(match.group(2))))
    for match in _SCP.finditer(command):
        add(make_endpoint(match.group(1), None))
    if _TOOL.search(command):
        for segment in _SEGMENT.split(command):
            for endpoint in _tool_endpoints(segment):
                add(endpoint)
    for match in _HOST_PORT.finditer(command):
        add(make_endpoint(match.group(1), int(match.group(2))))
    covered = {value.split(":")[0] for value in found}
    for match in _IPV4.finditer(command):
        if match.group(1) in covered:
            continue
        port = int(match.group(2)) if match.group(2) else None
        add(make_endpoint(match.group(1), port))
    return list(found.values())
