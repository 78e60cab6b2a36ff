"""The producer's monthly statements, for its bank and its accountant: CSV and PDF."""

from __future__ import annotations

from flask import Response, current_app, g, render_template
from flask_babel import gettext as _

from shop import dates
from shop.clock import today
from shop.errors import ValidationError
from shop.invoices import statements
from shop.web.producer import bp

STATEMENT_MONTHS = 12


@bp.get("/statements")
def statements_page():
    """The last twelve months, each with its statement to download."""
    return render_template("producer/invoices/statements.html",
                           months=statements.recent_months(today(), STATEMENT_MONTHS))


def _statement(month_text: str) -> statements.Statement:
    try:
        month = statements.parse_month(month_text)
    except ValidationError as error:  # a 422 page naming the month, in the visitor's language
        raise ValidationError(_("“%(text)s” is not a month from %(first)s to %(last)s: use YYYY-MM, "
                                "for example 2026-11.", text=month_text, first=dates.FIRST_MONTH,
                                last=dates.LAST_MONTH), error.fields) from None
    return statements.monthly(g.producer, month,
                              fee_basis_points=current_app.config["PLATFORM_FEE_BASIS_POINTS"])


def _download(data, mimetype: str, name: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})


@bp.get("/statements/<month_text>.csv")
def statement_csv(month_text: str):
    statement = _statement(month_text)
    return _download(statements.to_csv(statement), "text/csv; charset=utf-8",
                     f"{g.producer.slug}-{statement.month:%Y-%m}.csv")


@bp.get("/statements/<month_text>.pdf")
def statement_pdf(month_text: str):
    statement = _statement(month_text)
    return _download(statements.to_pdf(statement), "application/pdf",
                     f"{g.producer.slug}-{statement.month:%Y-%m}.pdf")
