"""Operator commands: `flask --app wsgi search ...`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from shop import search
from shop.search import documents

search_cli = AppGroup("search", help="Operate the product search index.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the database, with a progress bar."""
    with click.progressbar(length=documents.searchable_count(), label="Indexing products",
                           file=sys.stderr) as bar:
        count = search.reindex(progress=bar.update)
    click.echo(f"indexed {count} products")


@search_cli.command("retry")
def retry_command() -> None:
    """Apply the index updates that failed earlier and were queued."""
    left = search.retry_pending()
    if left:
        click.secho(f"{left} product(s) still queued", fg="red", err=True)
        sys.exit(1)
    click.echo("search index up to date")
