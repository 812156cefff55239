"""`decnet ingest`: read honeypot logs into observations.

Exit status: 0 when every line was ingested, and 1 when any line was
skipped (each is listed with file, line number and reason). A failed run
exits with its error's code: 2 for bad input, 3 for an unreachable
database.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TextIO

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from decnet.cli.common import DbOption, console, fail, open_database, run
from decnet.errors import InputError
from decnet.ingest.cowrie import ingest_paths
from decnet.ingest.jsonl import ingest_jsonl_paths
from decnet.ingest.report import IngestReport, SkippedLine
from decnet.ingest.sources import logs_layout

log = logging.getLogger(__name__)

app = typer.Typer(help="Read honeypot logs into observations.", no_args_is_help=True)

SHOWN_SKIPS = 20

PathsArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Log files, or folders scanned recursively.", show_default=False
    ),
]
FollowOption = Annotated[
    bool,
    typer.Option(
        "--follow",
        help="Keep reading as the files grow and rotate; stop with Ctrl-C.",
    ),
]
IntervalOption = Annotated[
    float,
    typer.Option("--interval", min=0.1, help="Seconds between checks with --follow."),
]
BatchOption = Annotated[
    int,
    typer.Option("--batch", min=1, help="Events per database transaction."),
]
SkippedOption = Annotated[
    Path | None,
    typer.Option(
        "--skipped-out",
        metavar="FILE",
        help="Write every skipped line as JSON {file, line, reason} to FILE.",
        show_default=False,
    ),
]
ProgressOption = Annotated[
    bool,
    typer.Option("--progress/--no-progress", help="Show a progress bar."),
]

Runner = Callable[..., Awaitable[IngestReport]]


def _skip_writer(handle: TextIO | None) -> Callable[[SkippedLine], None]:
    def write(entry: SkippedLine) -> None:
        if handle is not None:
            record = {"file": entry.file, "line": entry.line, "reason": entry.reason}
            handle.write(orjson.dumps(record).decode() + "\n")

    return write


def summary_table(report: IngestReport) -> Table:
    """Return the end-of-run summary as a rich table."""
    table = Table(title="ingest summary")
    table.add_column("item")
    table.add_column("value", justify="right")
    rows = [
        ("files read", f"{report.files - report.files_unchanged}"),
        ("files already ingested", f"{report.files_unchanged}"),
        ("lines", f"{report.lines:,}"),
        ("events", f"{report.events:,}"),
        ("events per second", f"{report.events_per_second():,.0f}"),
        ("source IPs", f"{report.ips:,}"),
        ("observations created", f"{report.observations_created:,}"),
        ("observations updated", f"{report.observations_updated:,}"),
        ("sessions created", f"{report.sessions_created:,}"),
        ("sessions updated", f"{report.sessions_updated:,}"),
        (
            "HASSH checked / disagreeing",
            f"{report.hassh_checked:,} / {report.hassh_mismatches:,}",
        ),
        ("time stamps without zone (read as UTC)", f"{report.naive_timestamps:,}"),
        ("lines with non-UTF-8 bytes kept", f"{report.repaired_lines:,}"),
        ("skipped lines", f"{report.skipped_count:,}"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    for reason, count in report.skipped_by_reason.most_common():
        table.add_row(f"  skipped: {reason}", f"{count:,}")
    for kind, count in report.warnings.most_common():
        table.add_row(f"warning: {kind}", f"{count:,}")
    return table


def _print_skips(out: Console, report: IngestReport) -> None:
    for entry in report.skipped[:SHOWN_SKIPS]:
        out.print(f"skipped {entry.file}:{entry.line}: {entry.reason}", highlight=False)
    hidden = report.skipped_count - min(len(report.skipped), SHOWN_SKIPS)
    if hidden > 0:
        out.print(f"... and {hidden:,} more skipped lines (see --skipped-out)")


def _open_skipped_out(path: Path | None) -> TextIO | None:
    """Open the --skipped-out file before any work, so a bad path fails first."""
    if path is None:
        return None
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"cannot write --skipped-out {path}: {exc.strerror or exc}; "
            "choose a writable file"
        ) from None


async def _ingest(
    runner: Runner,
    db: str | None,
    paths: list[Path],
    *,
    follow: bool,
    interval: float,
    show_progress: bool,
    skipped_out: Path | None,
    holder: dict[str, IngestReport],
    **options: object,
) -> IngestReport:
    handle = _open_skipped_out(skipped_out)
    engine = await open_database(db)
    report = holder.setdefault("report", IngestReport())
    progress = Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[events]:>10,} events"),
        TextColumn("{task.fields[rate]:>8,.0f}/s"),
        TextColumn("{task.fields[bad]:>6,} bad lines"),
        TimeElapsedColumn(),
        console=console,
        disable=not show_progress,
        transient=False,
    )
    task: TaskID = progress.add_task("ingest", total=None, events=0, rate=0.0, bad=0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    # With --follow, SIGINT and SIGTERM end the run after the current pass,
    # whose batch is committed, and the summary is printed.
    stop = asyncio.Event()
    if follow:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)

    def on_progress(done: int, total: int, current: IngestReport) -> None:
        elapsed = max(loop.time() - started, 1e-6)
        progress.update(
            task,
            completed=done,
            total=total or None,
            events=current.events,
            rate=current.events / elapsed,
            bad=current.skipped_count,
        )

    try:
        with progress:
            while True:
                await runner(
                    engine,
                    paths,
                    progress=on_progress,
                    follow=follow,
                    on_skip=_skip_writer(handle),
                    report=report,
                    **options,
                )
                if not follow:
                    break
                try:
                    await asyncio.wait_for(stop.wait(), interval)
                except TimeoutError:
                    continue
                log.info("stopping ingest on signal", extra={"events": report.events})
                break
    finally:
        if follow:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
        if handle is not None:
            handle.close()
        await engine.dispose()
    return report


def _run_reporting(
    holder: dict[str, IngestReport], coro: Coroutine[Any, Any, IngestReport]
) -> IngestReport:
    """Run an ingest; on Ctrl-C print the summary so far, then exit with 130."""
    try:
        return run(coro)
    except typer.Exit as stop:
        if stop.exit_code == 130 and "report" in holder:
            _print_skips(console, holder["report"])
            Console().print(summary_table(holder["report"]))
        raise


def _finish(
    report: IngestReport, paths: list[Path], pattern: str, *, follow: bool
) -> None:
    """Print the skips and the summary; exit 1 on skipped lines, 2 on no input.

    A --follow run that found no file is not an error: its logs may not
    have been written yet.
    """
    out = Console()
    _print_skips(console, report)
    out.print(summary_table(report))
    if report.files == 0 and not follow:
        raise fail(
            InputError(
                f"nothing to ingest in {', '.join(str(p) for p in paths)}: no "
                f"non-empty file named {pattern}; check the path, or give the "
                "files themselves"
            )
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command("cowrie")
def cowrie_command(
    paths: PathsArgument,
    tty_dir: Annotated[
        Path | None,
        typer.Option(
            "--tty-dir",
            metavar="DIR",
            help="Folder of Cowrie ttylogs; default PATH/tty or "
            "PATH/term_sessions when PATH is one folder that has it.",
        ),
    ] = None,
    downloads_dir: Annotated[
        Path | None,
        typer.Option(
            "--downloads-dir",
            metavar="DIR",
            help="Folder of files Cowrie downloaded; default PATH/downloads "
            "when PATH is one folder that has it.",
        ),
    ] = None,
    follow: FollowOption = False,
    interval: IntervalOption = 2.0,
    batch: BatchOption = 50_000,
    skipped_out: SkippedOption = None,
    show_progress: ProgressOption = True,
    db: DbOption = None,
) -> None:
    """Ingest Cowrie JSON logs (folders are scanned for cowrie*.json*, gzip too).

    A rerun over the same files changes nothing: each file resumes from the
    offset saved with its last batch, also after rotation or compression.
    """
    tty_dir, downloads_dir = logs_layout(paths, tty_dir, downloads_dir)
    for label, folder in (("ttylogs", tty_dir), ("downloads", downloads_dir)):
        if folder is not None:
            console.print(f"{label} from {folder}", highlight=False, soft_wrap=True)
    holder: dict[str, IngestReport] = {}
    report = _run_reporting(
        holder,
        _ingest(
            ingest_paths,
            db,
            paths,
            follow=follow,
            interval=interval,
            show_progress=show_progress,
            skipped_out=skipped_out,
            holder=holder,
            tty_dir=tty_dir,
            downloads_dir=downloads_dir,
            batch_events=batch,
        ),
    )
    _finish(report, paths, "cowrie*.json* (gzip too)", follow=follow)


@app.command("jsonl")
def jsonl_command(
    paths: PathsArgument,
    follow: FollowOption = False,
    interval: IntervalOption = 2.0,
    batch: BatchOption = 50_000,
    skipped_out: SkippedOption = None,
    show_progress: ProgressOption = True,
    db: DbOption = None,
) -> None:
    """Ingest the generic JSON-lines format (see docs/ingest.md).

    Folders are scanned for *.jsonl and *.jsonl.gz files.
    """
    holder: dict[str, IngestReport] = {}
    report = _run_reporting(
        holder,
        _ingest(
            ingest_jsonl_paths,
            db,
            paths,
            follow=follow,
            interval=interval,
            show_progress=show_progress,
            skipped_out=skipped_out,
            holder=holder,
            batch_events=batch,
        ),
    )
    _finish(report, paths, "*.jsonl or *.jsonl.gz", follow=follow)
