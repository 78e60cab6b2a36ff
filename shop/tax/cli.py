"""`flask --app wsgi shop vat ...`: the dated table of VAT reductions, for operators who change
it when parliament decides (the program office does the same at /admin/tax)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from shop import dates
from shop.clock import today
from shop.errors import ShopError
from shop.tax import rates
from shop.tax import services as tax

vat_cli = AppGroup("vat", help="The dated VAT reductions that set the rate of `10_reducible` packs.")

PROBLEMS = {"past": "only days after today can change (invoices of today and before stand)",
            "before_start": "the last day comes before the first",
            "too_far": "more than five years ahead", "overlap": "another reduction "
            "covers some of these days", "resolution": "name the resolution (3 to 120 characters)",
            "reduced_percent": "a whole percentage from 0 to 9", "too_long": "at most 120 characters"}


def _refused(error: ShopError) -> None:
    fields = getattr(error, "fields", {})
    click.secho(f"refused, nothing changed: {error.message}", fg="red", err=True)
    for name, code in fields.items():
        click.echo(f"  {name}: {PROBLEMS.get(code, code)}", err=True)
    sys.exit(1)


class Day(click.ParamType):
    """A day as YYYY-MM-DD in ASCII digits, from 2000-01-01 to 2100-12-31 (shop.dates)."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        try:
            return dates.parse_day(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


@vat_cli.command("reductions")
def reductions_command() -> None:
    """List the reductions and say which is in force today."""
    day, in_force = today(), rates.reduction_on(today())
    for reduction in rates.reductions():
        mark = "  (in force today)" if in_force is not None and reduction.id == in_force.id else ""
        click.echo(f"{reduction.id}\t{reduction.starts_on}\t{reduction.ends_on}\t"
                   f"{reduction.percent}%\t{reduction.resolution}{mark}")
    click.echo(f"rate of 10_reducible goods on {day}: {rates.rate_for(rates.REDUCIBLE, day, in_force)}%")


@vat_cli.command("end")
@click.argument("reduction_id", type=int)
@click.argument("last_day", type=Day())
@click.option("--resolution", required=True, help="The resolution that extends or ends it.")
def end_command(reduction_id: int, last_day, resolution: str) -> None:
    """Move the last day of reduction REDUCTION_ID to LAST_DAY (YYYY-MM-DD)."""
    try:
        changed = tax.change_end(reduction_id, ends_on=last_day, resolution=resolution,
                                 actor_id=None, today=today())
    except ShopError as error:
        _refused(error)
    click.echo(f"reduction {changed.id} ({changed.percent}%) now ends on {changed.ends_on}")


@vat_cli.command("add")
@click.argument("first_day", type=Day())
@click.argument("last_day", type=Day())
@click.option("--percent", type=int, default=8, show_default=True, help="The reduced rate.")
@click.option("--resolution", required=True, help="The resolution that grants it.")
@click.option("--decree", default="", help="The decree that guides it.")
def add_command(first_day, last_day, percent: int, resolution: str, decree: str) -> None:
    """Record a reduction from FIRST_DAY to LAST_DAY (YYYY-MM-DD, both included)."""
    try:
        added = tax.add(starts_on=first_day, ends_on=last_day, percent=percent,
                        resolution=resolution, decree=decree, actor_id=None, today=today())
    except ShopError as error:
        _refused(error)
    click.echo(f"reduction {added.id}: {added.percent}% from {added.starts_on} to {added.ends_on}")

