"""Entry point of the `decnet` command: one Typer app with a subcommand per area."""

from __future__ import annotations

import typer

from decnet.cli import cluster, db, evaluation, export, ingest, relay, serve, users
from decnet.cli.common import fail
from decnet.config import get_settings
from decnet.errors import DecnetError
from decnet.logs import configure_logging

app = typer.Typer(
    name="decnet",
    help="Resolve honeypot observations into identities and campaigns.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(cluster.app)  # cluster, clusterer, explain
app.add_typer(db.app, name="db")
app.add_typer(evaluation.app)  # generate, eval
app.add_typer(export.app, name="export")
app.add_typer(ingest.app, name="ingest")
app.add_typer(serve.app)  # serve, run
app.add_typer(relay.app)  # relay
app.add_typer(users.app, name="users")


@app.callback()
def setup(
    log_level: str = typer.Option(
        None, "--log-level", help="Log level (DEBUG, INFO, WARNING); default DECNET_LOG_LEVEL or INFO."
    ),
) -> None:
    try:
        configure_logging(log_level or get_settings().log_level)
    except DecnetError as error:
        raise fail(error) from None


def main() -> None:
    app()


if __name__ == "__main__":
    main()
