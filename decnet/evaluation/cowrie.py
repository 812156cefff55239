"""Render planned sessions as Cowrie JSON events, ttylogs and downloaded files.

Three log generations are written, as real sensors of those years did:

- `cowrie-2018`: the algorithm lists ride on `cowrie.client.version`
  (`kexAlgs`, `keyAlgs`, `encCS`, `macCS`, `compCS`), there is no
  `cowrie.client.kex` and no HASSH; ttylogs are named
  `log/tty/YYYYMMDD-HHMMSS-SESSION-0i.log`, downloads `dl/SHA256`.
- `cowrie-2022`: `cowrie.client.kex` carries `hassh`, `hasshAlgorithms`
  and the lists; ttylogs and downloads are named by their SHA-256.
- `cowrie-2026`: as 2022, plus `protocol`, ports, `uuid` on every event and
  `duration_ms` in place of `duration`.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from decnet.evaluation.addresses import AddressAllocator, ip_text, random_word
from decnet.evaluation.library import PLACEHOLDER
from decnet.evaluation.plan import Plan, Population, c2_domains, derive_seed
from decnet.evaluation.scenario import ActorSpec, NoiseSpec, SensorSpec
from decnet.evaluation.stacks import SshStack, load_stacks
from decnet.evaluation.ttylog import INPUT, OUTPUT, TtylogBuilder

Event = dict[str, Any]

# First words that Cowrie's shell does not implement: it logs
# `cowrie.command.failed` for them after `cowrie.command.input`.
_UNKNOWN_COMMANDS = frozenset(
    {
        "lockr",
        "enable",
        "system",
        "shell",
        "lscpu",
        "top",
        "netstat",
        "pkill",
        "nohup",
        "history",
        "good",
        "ss",
        "/ip",
        "chattr",
    }
)
_PROMPT = b"root@svr04:~# "
_OUTPUTS = {
    "w": b" 11:02:01 up 3 days,  2:11,  1 user,  load average: 0.00, 0.01, 0.05\r\n",
    "id": b"uid=0(root) gid=0(root) groups=0(root)\r\n",
    "whoami": b"root\r\n",
    "uname": (
        b"Linux svr04 3.2.0-4-amd64 #1 SMP Debian 3.2.68-1+deb7u1 x86_64 GNU/Linux\r\n"
    ),
    "ls": b"total 4\r\ndrwx------ 1 root root 4096 2013-04-05 12:03 .ssh\r\n",
}


@dataclass
class Output:
    """The product of one rendered session: events plus files to store.

    `events` are (epoch seconds, event) in time order. `ttylog` is (file
    name, bytes) or None, and `downloads` are (SHA-256, bytes).
    """

    events: list[tuple[float, Event]] = field(default_factory=list)
    ttylog: tuple[str, bytes] | None = None
    downloads: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class _ActorKit:
    """Per-actor constants derived once from the actor's seed."""

    c2: list[str]
    c2_port: int
    ssh_key: str
    url_dir: str
    typing_base_ms: float
    digraph_seed: int
    success: str | None
    habits: dict[tuple[str, str], float] = field(default_factory=dict)


def _key_kind(key: str) -> str:
    if key.isalpha():
        return "letter"
    if key == " ":
        return "space"
    if key in "\r\n":
        return "enter"
    if key == "\x7f":
        return "backspace"
    return "symbol"


def _is_address(host: str) -> bool:
    return host.replace(".", "").isdigit() or ":" in host


def _timestamp(value: float) -> str:
    return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SessionRenderer:
    """Render the plan's sessions one at a time (see `render`)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.scenario = plan.scenario
        self._stacks = load_stacks()
        self._kits: dict[int, _ActorKit] = {}
        self._sensor_uuid = [
            str(
                uuid.UUID(
                    int=derive_seed(plan.seed, sensor.name) << 64 | 0x11F1, version=1
                )
            )
            for sensor in self.scenario.sensors
        ]
        self._sensor_ip = [
            f"172.31.{16 + i}.{10 + 7 * i}" for i in range(len(self.scenario.sensors))
        ]
        self._payloads: dict[tuple[str, int, int], tuple[str, bytes]] = {}
        self._c2_allocator = AddressAllocator(
            np.random.default_rng(derive_seed(plan.seed, "c2-addresses"))
        )

    # -- per-actor constants -------------------------------------------------

    def _kit(self, population: Population) -> _ActorKit:
        kit = self._kits.get(population.index)
        if kit is not None:
            return kit
        spec = population.spec
        assert isinstance(spec, ActorSpec)
        rng = random.Random(derive_seed(population.seed, "kit"))
        c2: list[str] = []
        port = 80
        if spec.c2 is not None:
            port = spec.c2.port
            if spec.c2.hosts:
                c2 = list(spec.c2.hosts)
            elif spec.c2.ip_hosts:
                c2 = [ip_text(int(v)) for v in self._c2_allocator.take(spec.c2.domains)]
            else:
                c2 = c2_domains(population, spec.c2.domains)
        key = base64.b64encode(b"\x00\x00\x00\x07ssh-rsa" + rng.randbytes(271)).decode()
        kit = _ActorKit(
            c2=c2,
            c2_port=port,
            ssh_key=f"ssh-rsa {key} {random_word(rng, 4, 8)}",
            url_dir=rng.choice(["bins", "x", "dl", "a", "files", "tmp", "pub"]),
            # People differ in overall speed by a third or so around the mean.
            typing_base_ms=spec.typing.mean_ms * math.exp(rng.gauss(0.0, 0.3)),
            digraph_seed=rng.getrandbits(32),
            success=spec.credentials.success,
        )
        self._kits[population.index] = kit
        return kit

    def _payload(
        self, population: Population, spec: ActorSpec, build: int
    ) -> tuple[str, bytes]:
        payload = spec.payload
        assert payload is not None
        # A public release is the same file for everybody; private builds
        # share the family's code but carry the actor's own configuration.
        owner = 0 if payload.url or payload.shared else population.seed
        cache_key = (payload.family, owner, build)
        cached = self._payloads.get(cache_key)
        if cached is not None:
            return cached
        family = random.Random(derive_seed("family", payload.family))
        body = bytearray(
            b"\x7fELF\x02\x01\x01\x00" + family.randbytes(payload.size - 8)
        )
        if not payload.url:
            config = f"BUILD={owner:x}.{build};".encode()
            noise = random.Random(derive_seed(owner, payload.family, build)).randbytes(
                48
            )
            block = (config + noise)[:64]
            offset = min(256, max(8, payload.size - 64))
            body[offset : offset + len(block)] = block
        content = bytes(body)
        result = (hashlib.sha256(content).hexdigest(), content)
        if len(self._payloads) < 50_000:
            self._payloads[cache_key] = result
        return result

    def _typing_delay(
        self,
        kit: _ActorKit,
        spec: ActorSpec,
        rng: random.Random,
        previous: str,
        key: str,
    ) -> float:
        """Return seconds between two keys for this actor.

        A person's rhythm has three stable layers: an overall speed, a
        habit per kind of transition (into a space, before Enter, onto a
        digit or symbol, after a backspace), and a speed per letter pair.
        Each session adds `jitter` as log-normal noise around that.
        """
        digraph = derive_seed(kit.digraph_seed, previous, key) % 1000
        factor = 0.55 + digraph / 1000.0 * 1.1
        transition = (_key_kind(previous), _key_kind(key))
        habit = kit.habits.get(transition)
        if habit is None:
            habit_rng = random.Random(derive_seed(kit.digraph_seed, *transition))
            habit = math.exp(habit_rng.gauss(0.0, 0.35))
            kit.habits[transition] = habit
        spread = math.exp(rng.gauss(0.0, spec.typing.jitter))
        return kit.typing_base_ms * factor * habit * spread / 1000.0

    # -- events --------------------------------------------------------------

    def _event(
        self,
        fmt: str,
        sensor: int,
        session: str,
        ip: str,
        ports: tuple[int, int],
        eventid: str,
        ts: float,
        message: str | list[str],
        fields: dict[str, Any],
    ) -> Event:
        name = self.scenario.sensors[sensor].name
        if fmt == "cowrie-2026":
            event: Event = {
                "session": session,
                "protocol": "ssh",
                "src_ip": ip,
                "src_port": ports[0],
                "dst_ip": self._sensor_ip[sensor],
                "dst_port": ports[1],
            }
            event.update(fields)
            event.update(
                eventid=eventid,
                sensor=name,
                uuid=self._sensor_uuid[sensor],
                timestamp=_timestamp(ts),
                message=message,
            )
            return event
        event = {"eventid": eventid}
        event.update(fields)
        event.update(
            message=message,
            sensor=name,
            timestamp=_timestamp(ts),
            src_ip=ip,
            session=session,
        )
        if fmt == "cowrie-2018":
            event["isError"] = 0
        return event

    def render(self, index: int) -> Output:
        """Render planned session `index` of the plan."""
        plan = self.plan
        population = plan.populations[int(plan.population[index])]
        member = int(plan.member[index])
        sensor_index = int(plan.sensor[index])
        sensor = self.scenario.sensors[sensor_index]
        rng = random.Random(
            derive_seed(population.seed, member, int(plan.serial[index]))
        )
        ip = ip_text(int(plan.address[index]))
        start = float(plan.start[index])
        spec = population.spec
        if isinstance(spec, NoiseSpec):
            assert population.stack_of_member is not None
            stack = self._stacks[spec.stacks[int(population.stack_of_member[member])]]
        else:
            stack = self._stacks[rng.choice(spec.stacks)]
        return _SessionBuilder(
            self, population, spec, sensor, sensor_index, stack, rng, ip, start
        ).build()


class _SessionBuilder:
    """Build one session's events step by step."""

    def __init__(
        self,
        renderer: SessionRenderer,
        population: Population,
        spec: ActorSpec | NoiseSpec,
        sensor: SensorSpec,
        sensor_index: int,
        stack: SshStack,
        rng: random.Random,
        ip: str,
        start: float,
    ) -> None:
        self.r = renderer
        self.population = population
        self.spec = spec
        self.fmt = sensor.format
        self.sensor_index = sensor_index
        self.stack = stack
        self.rng = rng
        self.ip = ip
        self.start = start
        self.now = start
        self.session = f"{rng.getrandbits(48):012x}"
        self.src_port = rng.randint(1024, 65535)
        self.dst_port = 22 if sensor_index % 2 == 0 else 2222
        self.out = Output()
        self.typed = isinstance(spec, ActorSpec) and spec.typing.mode == "typed"

    def emit(self, eventid: str, message: str | list[str], **fields: Any) -> None:
        event = self.r._event(
            self.fmt,
            self.sensor_index,
            self.session,
            self.ip,
            (self.src_port, self.dst_port),
            eventid,
            self.now,
            message,
            fields,
        )
        self.out.events.append((self.now, event))

    def advance(self, low: float, high: float) -> None:
        self.now += self.rng.uniform(low, high)

    def build(self) -> Output:
        self._connect()
        succeeded = self._login()
        if succeeded:
            self._after_login()
        self._close()
        return self.out

    def _connect(self) -> None:
        self.emit(
            "cowrie.session.connect",
            f"New connection: {self.ip}:{self.src_port} "
            f"({self.r._sensor_ip[self.sensor_index]}:{self.dst_port}) "
            f"[session: {self.session}]",
            src_port=self.src_port,
            dst_ip=self.r._sensor_ip[self.sensor_index],
            dst_port=self.dst_port,
            protocol="ssh",
        )
        self.advance(0.02, 0.4)
        stack = self.stack
        if self.fmt == "cowrie-2018":
            self.emit(
                "cowrie.client.version",
                f"Remote SSH version: {stack.banner}",
                version=stack.banner,
                kexAlgs=list(stack.kex),
                keyAlgs=list(stack.host_key),
                encCS=list(stack.enc),
                macCS=list(stack.mac),
                compCS=list(stack.comp),
            )
            return
        self.emit(
            "cowrie.client.version",
            f"Remote SSH version: {stack.banner}",
            version=stack.banner,
        )
        self.advance(0.05, 1.5)
        self.emit(
            "cowrie.client.kex",
            f"SSH client hassh fingerprint: {stack.hassh}",
            hassh=stack.hassh,
            hasshAlgorithms=stack.hassh_algorithms,
            kexAlgs=list(stack.kex),
            keyAlgs=list(stack.host_key),
            encCS=list(stack.enc),
            macCS=list(stack.mac),
            compCS=list(stack.comp),
            langCS=[""],
        )

    def _attempts(self) -> tuple[list[str], str | None]:
        spec = self.spec
        credentials = spec.credentials
        tried: list[str] = list(credentials.own)
        if credentials.wordlist is not None:
            words = self.r.scenario.wordlist(credentials.wordlist)
            count = self.rng.randint(*credentials.tries)
            tried += self.rng.sample(words, min(count, len(words)))
        success = credentials.success
        if isinstance(spec, NoiseSpec):
            if tried and self.rng.random() < spec.success_rate:
                success = tried.pop()
            else:
                success = None
        return tried, success

    def _login(self) -> bool:
        tried, success = self._attempts()
        pace = (1.0, 6.0) if self.typed else (0.1, 2.5)
        for pair in tried:
            self.advance(*pace)
            username, _, password = pair.partition(":")
            self.emit(
                "cowrie.login.failed",
                f"login attempt [{username}/{password}] failed",
                username=username,
                password=password,
            )
        if success is None:
            return False
        self.advance(*pace)
        username, _, password = success.partition(":")
        self.emit(
            "cowrie.login.success",
            f"login attempt [{username}/{password}] succeeded",
            username=username,
            password=password,
        )
        return True

    def _after_login(self) -> None:
        spec = self.spec
        if isinstance(spec, ActorSpec):
            for target in spec.forwards:
                host, _, port = target.rpartition(":")
                self.advance(0.05, 1.0)
                fields: dict[str, Any] = {"dst_ip": host, "dst_port": int(port)}
                if self.fmt == "cowrie-2026":
                    fields.update(orig_ip="0.0.0.0", orig_port=0)
                else:
                    fields["src_port"] = self.rng.randint(30000, 60000)
                self.emit(
                    "cowrie.direct-tcpip.request",
                    f"direct-tcp connection request to {host}:{port} "
                    f"from 127.0.0.1:{fields.get('src_port', 0)}",
                    **fields,
                )
        if spec.script is None:
            return
        commands = self._script_lines()
        self._shell(commands)

    def _script_lines(self) -> list[tuple[str, tuple[str, bytes] | None]]:
        """Fill the script's placeholders and pair each line with its download."""
        spec = self.spec
        assert spec.script is not None
        lines = self.r.scenario.script(spec.script)
        if isinstance(spec, NoiseSpec):
            return [(line, None) for line in lines]

        values, download = self._placeholder_values(spec)
        result = []
        for line in lines:
            has_url = "{url}" in line
            text = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), line)
            result.append((text, download if has_url else None))
        return result

    def _placeholder_values(
        self, spec: ActorSpec
    ) -> tuple[dict[str, str], tuple[str, bytes] | None]:
        """Return this session's placeholder values and its payload, if any."""
        kit = self.r._kit(self.population)
        values = {
            "file": random_word(self.rng),
            "token": random_word(self.rng, 4, 7).upper(),
            "ssh_key": kit.ssh_key,
            "c2_port": str(kit.c2_port),
        }
        if kit.c2:
            host = self.rng.choice(kit.c2)
            rotating = spec.c2 is not None and spec.c2.rotate == "per_session"
            if rotating and not _is_address(host):
                host = f"{random_word(self.rng, 5, 9)}.{host}"
            values["c2"] = host

        if spec.payload is None:
            return values, None
        if spec.payload.per_session:
            build = self.rng.getrandbits(40)
        else:
            build = self.rng.randrange(spec.payload.builds)
        download = self.r._payload(self.population, spec, build)
        if spec.payload.url:
            values["url"] = spec.payload.url
        else:
            port = "" if kit.c2_port == 80 else f":{kit.c2_port}"
            host = values.get("c2", "localhost")
            values["url"] = f"http://{host}{port}/{kit.url_dir}/{values['file']}"
        return values, download

    def _shell(self, commands: list[tuple[str, tuple[str, bytes] | None]]) -> None:
        if self.typed:
            self.advance(0.1, 0.5)
            self.emit(
                "cowrie.client.size", "Terminal Size: 120 40", width=120, height=40
            )
        elif self.fmt != "cowrie-2018":
            self.emit(
                "cowrie.session.params",
                "" if self.fmt == "cowrie-2026" else [],
                arch="linux-x64-lsb",
            )

        tty = TtylogBuilder()
        opened = self.now
        tty.open(opened)
        tty.write(OUTPUT, self.now, _PROMPT)
        for line, download in commands:
            self._command(tty, line)
            if download is not None:
                self._download(line, download)

        self.advance(0.05, 0.5)
        tty.close(self.now)
        self._close_ttylog(tty.render(), opened)

    def _command(self, tty: TtylogBuilder, line: str) -> None:
        spec = self.spec
        if self.typed:
            assert isinstance(spec, ActorSpec)
            self.now += self.rng.uniform(*spec.typing.think_s)
            self._type(tty, line)
        else:
            self.advance(0.001, 0.08)
            tty.write(INPUT, self.now, line.encode() + b"\n")
        self.emit("cowrie.command.input", f"CMD: {line}", input=line)

        first = line.split(" ", 1)[0]
        if first in _UNKNOWN_COMMANDS or first.startswith("./"):
            self.emit("cowrie.command.failed", f"Command not found: {line}", input=line)
            reply = f"-bash: {first}: command not found\r\n".encode()
        else:
            reply = _OUTPUTS.get(first, b"")
        self.now += 0.002
        tty.write(OUTPUT, self.now, b"\r\n" + reply + _PROMPT)

    def _close_ttylog(self, content: bytes, opened: float) -> None:
        digest = hashlib.sha256(content).hexdigest()
        if self.fmt == "cowrie-2018":
            stamp = datetime.fromtimestamp(opened, UTC).strftime("%Y%m%d-%H%M%S")
            name = f"{stamp}-{self.session}-0i.log"
            path = f"log/tty/{name}"
        else:
            name = digest
            path = f"var/lib/cowrie/tty/{digest}"
        self.out.ttylog = (name, content)

        duration = self.now - opened
        fields: dict[str, Any] = {"ttylog": path, "size": len(content)}
        if self.fmt != "cowrie-2018":
            fields.update(shasum=digest, duplicate=False)
        if self.fmt == "cowrie-2026":
            milliseconds = int(duration * 1000)
            fields["duration_ms"] = milliseconds
            message = f"Closing TTY Log: {path} after {milliseconds} milliseconds"
        else:
            fields["duration"] = duration
            message = f"Closing TTY Log: {path} after {int(duration)} seconds"
        self.emit("cowrie.log.closed", message, **fields)

    def _type(self, tty: TtylogBuilder, line: str) -> None:
        spec = self.spec
        assert isinstance(spec, ActorSpec)
        kit = self.r._kit(self.population)
        previous = "\n"
        for key in line + "\r":
            if key != "\r" and self.rng.random() < spec.typing.typo_rate:
                wrong = self.rng.choice("asdfghjkl")
                self.now += self._delay(kit, previous, wrong)
                tty.write(INPUT, self.now, wrong.encode())
                self.now += self._delay(kit, wrong, "\x7f") * 1.6
                tty.write(INPUT, self.now, b"\x7f")
                tty.write(OUTPUT, self.now + 0.0005, b"\x08 \x08")
                previous = "\x7f"
            self.now += self._delay(kit, previous, key)
            tty.write(INPUT, self.now, key.encode())
            if key != "\r":
                tty.write(OUTPUT, self.now + 0.0005, key.encode())
            previous = key
        self.now += 0.001

    def _delay(self, kit: _ActorKit, previous: str, key: str) -> float:
        spec = self.spec
        assert isinstance(spec, ActorSpec)
        return self.r._typing_delay(kit, spec, self.rng, previous, key)

    def _download(self, line: str, download: tuple[str, bytes]) -> None:
        digest, content = download
        url = next((word for word in line.split() if "://" in word), "")
        self.advance(0.3, 3.0)
        if self.fmt == "cowrie-2018":
            outfile = f"dl/{digest}"
            fields: dict[str, Any] = {"shasum": digest, "url": url, "outfile": outfile}
        else:
            outfile = f"var/lib/cowrie/downloads/{digest}"
            fields = {
                "url": url,
                "duplicate": False,
                "outfile": outfile,
                "shasum": digest,
                "destfile": "",
            }
        self.emit(
            "cowrie.session.file_download",
            f"Downloaded URL ({url}) with SHA-256 {digest} to {outfile}",
            **fields,
        )
        self.out.downloads.append((digest, content))

    def _close(self) -> None:
        self.advance(0.05, 2.0)
        duration = self.now - self.start
        if self.fmt == "cowrie-2026":
            self.emit(
                "cowrie.session.closed",
                f"Connection lost after {int(duration * 1000)} milliseconds",
                duration_ms=int(duration * 1000),
            )
        else:
            self.emit(
                "cowrie.session.closed",
                f"Connection lost after {int(duration)} seconds",
                duration=duration,
            )
