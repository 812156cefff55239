"""Score clusterer parameters on the whole scenario suite at once.

Run `decnet eval SCENARIO... --keep DIR` first; this script reads every
`DIR/NAME/evaluation.sqlite` with its `generated/truth.json`, runs the
model (no database writes) under the default parameters and under each
variant of a small grid, and prints identity ARI and singleton recall per
scenario with the suite mean. Parameters are chosen for the suite as a
whole, never per scenario.

    python bench/cluster_calibrate.py /tmp/eval-keep [--grid]

`--cost SIZE` instead times the model (CPU seconds, no database) with and
without re-estimation on the synthetic fleet of `bench/cluster_scale.py`:

    python bench/cluster_calibrate.py --cost 100000
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from decnet.clustering.model import run_model
from decnet.clustering.params import DEFAULT_KINDS, ModelParams
from decnet.clustering.table import FeatureTable, build_table


@dataclass
class Case:
    name: str
    table: FeatureTable
    truth: list[str | None]


def load_case(folder: Path) -> Case:
    """Read one kept scenario: observations, features and ground truth."""
    db = sqlite3.connect(folder / "evaluation.sqlite")
    observations = db.execute(
        "SELECT uuid, ip, is_private OR is_gateway OR multi_stack FROM attackers"
    ).fetchall()
    rows = db.execute(
        "SELECT observation_uuid, kind, value FROM observation_features"
    ).fetchall()
    truth = json.loads((folder / "generated" / "truth.json").read_text())
    table = build_table(
        [o[0] for o in observations], rows, [o[0] for o in observations if o[2]]
    )
    ip_of = {o[0]: o[1] for o in observations}
    ambiguous = set(truth.get("ambiguous") or [])
    labels = []
    for uuid in table.observations:
        ip = ip_of[uuid]
        entry = truth["ips"].get(ip)
        labels.append(None if ip in ambiguous or entry is None else entry["identity"])
    return Case(folder.name, table, labels)


def evaluate(case: Case, params: ModelParams) -> tuple[float, float]:
    """Return (identity ARI, singleton recall) of `params` on `case`."""
    labels = run_model(case.table, params).labels
    scored = [i for i, t in enumerate(case.truth) if t is not None]
    truth = [case.truth[i] for i in scored]
    predicted = [int(labels[i]) for i in scored]
    ari = adjusted_rand_score(truth, predicted)
    sizes = Counter(truth)
    part_sizes = Counter(int(labels[i]) for i in range(len(labels)))
    singles = [i for i in scored if sizes[case.truth[i]] == 1]
    alone = sum(1 for i in singles if part_sizes[int(labels[i])] == 1)
    recall = alone / len(singles) if singles else 1.0
    return ari, recall


def report(cases: list[Case], params: ModelParams, label: str) -> float:
    """Print one line per scenario and return the suite's mean ARI."""
    aris = []
    print(f"== {label}")
    for case in cases:
        ari, recall = evaluate(case, params)
        aris.append(ari)
        print(f"   {case.name:20s} ari={ari:7.3f} singleton_recall={recall:6.3f}")
    mean = sum(aris) / len(aris)
    print(f"   suite mean ari={mean:.3f}")
    return mean


def grid() -> list[tuple[str, ModelParams]]:
    """Return the parameter variants to compare with the defaults."""
    base = ModelParams()
    variants = []
    for partners, probability in itertools.product((1.0, 2.0, 4.0), (0.95, 0.99)):
        variants.append(
            (
                f"partners={partners} p={probability}",
                base.replace(
                    partners_per_observation=partners, link_probability=probability
                ),
            )
        )
    variants.append(("no re-estimation", base.replace(reestimation_rounds=0)))
    variants.append(
        (
            "campaign kinds count on a client conflict",
            base.replace(campaign_bits_on_tooling_conflict=64.0),
        )
    )
    for kind in ("hassh", "client_version", "command_shingle", "credential"):
        kinds = dict(DEFAULT_KINDS)
        kinds[kind] = kinds[kind].__class__(
            **{**kinds[kind].__dict__, "max_bits": kinds[kind].max_bits + 2}
        )
        variants.append((f"{kind} cap +2", base.replace(kinds=kinds)))
    return variants


def cost(size: int) -> None:
    """Print the model's CPU time on `size` synthetic observations with and
    without re-estimation."""
    from cluster_scale import Fleet

    fleet = Fleet()
    uuids: list[str] = []
    rows: list[tuple[str, str, str]] = []
    for observation, features in fleet.rows(0, size):
        uuids.append(observation["uuid"])
        rows += [(observation["uuid"], kind, value) for kind, value in features]
    table = build_table(uuids, rows)
    for label, params in (
        ("no re-estimation", ModelParams(reestimation_rounds=0)),
        ("defaults", ModelParams()),
    ):
        started = time.process_time()
        result = run_model(table, params)
        seconds = time.process_time() - started
        parts = len(set(result.labels.tolist()))
        print(
            f"{size} observations, {label}: {seconds:.1f} s CPU, "
            f"{len(result.scores.bits)} candidate pairs, {parts} parts"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "keep", type=Path, nargs="?", help="folder given to decnet eval --keep"
    )
    parser.add_argument("--grid", action="store_true", help="also try the grid")
    parser.add_argument(
        "--cost",
        type=int,
        metavar="SIZE",
        help="time the model on SIZE synthetic observations instead",
    )
    args = parser.parse_args(argv)
    if args.cost:
        cost(args.cost)
        return 0
    if args.keep is None:
        parser.error("give the folder of decnet eval --keep, or --cost SIZE")
    folders = sorted(
        p for p in args.keep.iterdir() if (p / "evaluation.sqlite").exists()
    )
    if not folders:
        print(f"no kept scenarios under {args.keep}; run decnet eval --keep first")
        return 2
    cases = [load_case(folder) for folder in folders]
    report(cases, ModelParams(), "defaults")
    if args.grid:
        for label, params in grid():
            report(cases, params, label)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
