"""`decnet generate` and `decnet eval`: ground-truth scenarios end to end."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from decnet.cli.common import console, fail, run
from decnet.errors import DecnetError, InputError
from decnet.evaluation.generator import generate
from decnet.evaluation.resolvers import RESOLVERS, default_resolver
from decnet.evaluation.runner import ScenarioResult, evaluate
from decnet.evaluation.scenario import load_scenario

log = logging.getLogger(__name__)

app = typer.Typer()

# Scenario names are looked up in ./scenarios, then in the scenarios folder
# of the checkout this package runs from, so a name works from any folder.
SCENARIO_DIRS = tuple(
    dict.fromkeys(
        [Path("scenarios"), Path(__file__).resolve().parents[2] / "scenarios"]
    )
)
BOUNDS_SUFFIX = ".bounds.yaml"

ScaleOption = Annotated[
    float | None,
    typer.Option(
        "--scale",
        help="Multiply population sizes (noise, replicas, botnet "
        "nodes) by this factor; default 1.0 for generate, the bounds file's "
        "scale for eval.",
        show_default=False,
    ),
]
SeedOption = Annotated[
    int | None,
    typer.Option(
        "--seed",
        help="Random seed; default the scenario's (or bounds file's).",
        show_default=False,
    ),
]


def scenario_file(name: str) -> Path:
    """Return the scenario file for a path or a bare name under `SCENARIO_DIRS`."""
    path = Path(name)
    if path.name.endswith(BOUNDS_SUFFIX):
        raise InputError(
            f"{name} is a bounds file, not a scenario; give "
            f"{path.name.removesuffix(BOUNDS_SUFFIX)}.yaml or its name"
        )
    if path.suffix in (".yaml", ".yml") or path.exists():
        candidates = [path]
    else:
        candidates = [folder / f"{name}.yaml" for folder in SCENARIO_DIRS]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    known = sorted(
        {
            p.name.removesuffix(".yaml")
            for folder in SCENARIO_DIRS
            for p in folder.glob("*.yaml")
            if not p.name.endswith(BOUNDS_SUFFIX)
        }
    )
    hint = f"; known scenarios: {', '.join(known)}" if known else ""
    tried = ", ".join(str(c) for c in candidates)
    raise InputError(f"scenario {name!r} not found (looked at {tried}){hint}")


@app.command("generate")
def generate_command(
    scenario: Annotated[
        str,
        typer.Argument(
            help="Scenario file, or a name under ./scenarios or the checkout's "
            "scenarios folder."
        ),
    ],
    outdir: Annotated[Path, typer.Argument(help="New or empty output folder.")],
    seed: SeedOption = None,
    scale: ScaleOption = None,
) -> None:
    """Write a scenario's Cowrie logs, ttylogs, downloads and truth.json to OUTDIR."""
    try:
        spec = load_scenario(scenario_file(scenario))
        report = generate(
            spec, outdir, seed=seed, scale=1.0 if scale is None else scale
        )
    except DecnetError as error:
        raise fail(error) from None
    console.print(
        f"{spec.name}: {report.addresses} addresses ({report.ambiguous} ambiguous), "
        f"{report.identities} identities, {report.sessions} sessions, "
        f"{report.events} events, {report.ttylogs} ttylogs, "
        f"{report.downloads} downloads in {outdir}",
        highlight=False,
    )


def _format(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def results_table(results: list[ScenarioResult]) -> Table:
    """Build the one-row-per-scenario summary table."""
    table = Table(title="evaluation")
    columns = (
        "scenario",
        "resolver",
        "IPs",
        "ids",
        "ARI",
        "hom",
        "compl",
        "B³ P",
        "B³ R",
        "B³ F1",
        "single",
        "whole",
        "camp ARI",
        "camp F1",
        "result",
    )
    for column in columns:
        table.add_column(
            column,
            justify="left" if column in ("scenario", "resolver", "result") else "right",
        )
    for result in results:
        identity, campaign = result.identity, result.campaign
        table.add_row(
            result.scenario,
            result.resolver,
            str(identity.items),
            str(identity.true_groups),
            _format(identity.ari),
            _format(identity.homogeneity),
            _format(identity.completeness),
            _format(identity.bcubed_precision),
            _format(identity.bcubed_recall),
            _format(identity.bcubed_f1),
            _format(identity.singleton_recall),
            _format(identity.groups_whole),
            _format(campaign.ari),
            _format(campaign.bcubed_f1),
            "[green]pass[/]"
            if result.passed
            else f"[red]{len(result.misses)} missed[/]",
        )
    return table


@app.command("eval")
def eval_command(
    scenarios: Annotated[
        list[str], typer.Argument(help="Scenario files or names under ./scenarios.")
    ],
    json_report: Annotated[
        Path | None,
        typer.Option(
            "--json",
            metavar="REPORT",
            help="Write the full report as JSON to this file.",
        ),
    ] = None,
    resolver: Annotated[
        str | None,
        typer.Option(
            "--resolver",
            help="trivial (one identity per address) or clusterer; default "
            "clusterer when it is installed, else trivial.",
            show_default=False,
        ),
    ] = None,
    scale: ScaleOption = None,
    seed: SeedOption = None,
    keep: Annotated[
        Path | None,
        typer.Option(
            "--keep", help="Keep generated files and databases under this folder."
        ),
    ] = None,
) -> None:
    """Generate, ingest, resolve and score scenarios; exit 1 when a bound is missed."""
    chosen = resolver or default_resolver()
    if chosen not in RESOLVERS:
        raise fail(
            InputError(
                f"unknown resolver {chosen!r}; expected one of {', '.join(RESOLVERS)}"
            )
        )
    # A shell glob such as scenarios/*.yaml also matches the bounds files
    # beside each scenario; those are read with their scenario, not run.
    names = [name for name in scenarios if not name.endswith(BOUNDS_SUFFIX)]
    if not names:
        raise fail(InputError("no scenario given: every argument is a bounds file"))
    try:
        paths = [scenario_file(name) for name in names]
    except DecnetError as error:
        raise fail(error) from None

    async def main() -> list[ScenarioResult]:
        results = []
        for path in paths:
            workdir = None
            if keep is not None:
                workdir = keep / path.name.removesuffix(".yaml")
                workdir.mkdir(parents=True, exist_ok=True)
            results.append(
                await evaluate(
                    path, resolver=chosen, scale=scale, seed=seed, workdir=workdir
                )
            )
        return results

    results = run(main())
    output = Console()
    if not output.is_terminal:
        output = Console(width=160)
    output.print(results_table(results))
    for result in results:
        for miss in result.misses:
            console.print(f"[red]{result.scenario}[/]: {miss}", highlight=False)
    if json_report is not None:
        json_report.write_bytes(
            orjson.dumps([r.as_dict() for r in results], option=orjson.OPT_INDENT_2)
        )
    if not all(result.passed for result in results):
        raise typer.Exit(1)
