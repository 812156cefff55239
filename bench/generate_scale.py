"""Time scenario generation at a target number of source addresses.

    python bench/generate_scale.py [--scenario scenarios/noise_floor.yaml]
                                   [--ips 100000] [--seed N] [--keep DIR]

The script generates once at scale 1 to count addresses and picks the
scale that gives about `--ips` addresses. It then generates again into a
temporary folder (or `--keep`) and prints wall time, addresses, sessions,
events, bytes written, wall and CPU time of the generation and the peak
resident memory of this process.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from decnet.evaluation.generator import generate
from decnet.evaluation.scenario import load_scenario


def _folder_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/noise_floor.yaml")
    parser.add_argument("--ips", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    with tempfile.TemporaryDirectory() as probe:
        base = generate(scenario, Path(probe) / "out", seed=args.seed).addresses
    scale = args.ips / base

    workdir = Path(tempfile.mkdtemp(prefix="decnet-bench-"))
    outdir = args.keep or workdir / "out"
    try:
        began = time.perf_counter()
        cpu_began = time.process_time()
        report = generate(scenario, outdir, seed=args.seed, scale=scale)
        seconds = time.perf_counter() - began
        cpu_seconds = time.process_time() - cpu_began
        written = _folder_bytes(outdir)
    finally:
        shutil.rmtree(workdir)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"scenario        {scenario.name} (scale {scale:.2f})")
    print(f"addresses       {report.addresses:,} ({report.ambiguous} ambiguous)")
    print(f"identities      {report.identities:,}")
    print(f"sessions        {report.sessions:,}")
    print(f"events          {report.events:,}")
    print(f"ttylogs         {report.ttylogs:,}")
    print(f"downloads       {report.downloads:,}")
    print(f"bytes written   {written / 2**20:,.1f} MiB")
    print(f"wall time       {seconds:,.1f} s ({report.events / seconds:,.0f} events/s)")
    print(f"CPU time        {cpu_seconds:,.1f} s")
    print(f"peak RSS        {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
