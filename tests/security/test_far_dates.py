"""Months and days typed anywhere (query strings, paths, forms, commands, CSV files) are read by
one parser (shop.dates): YYYY-MM or YYYY-MM-DD in ASCII digits, years 2000 to 2100. A far or
foreign one is a clear 422 beside its field (or exit 1), never a 500 or a traceback."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from shop import dates
from shop.catalog.imports import import_catalog
from shop.catalog.models import Certificate
from shop.errors import ImportRefused
from shop.extensions import db
from shop.payments import bank_statement
from shop.tax import rates
from shop.tax.models import VatReduction
from tests import builders
from tests.conftest import csrf_token
from tests.producer.helpers import page, text

OUT_OF_RANGE = "Choose a day from 2000-01-01 to 2100-12-31."
FULL_WIDTH_YEAR = "\uff12\uff10\uff12\uff16"  # "２０２６"


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-22", date(2026, 11, 22)), (" 2000-01-01 ", date(2000, 1, 1)),
    ("2100-12-31", date(2100, 12, 31))])
def test_a_day_is_read(text, expected):
    assert dates.parse_day(text) == expected


@pytest.mark.parametrize("text", ["0000-01-01", "0001-01-01", "1999-12-31", "2101-01-01",
                                  "9999-12-31"])
def test_a_far_day_is_out_of_range(text):
    with pytest.raises(dates.OutOfRange):
        dates.parse_day(text)


@pytest.mark.parametrize("text", ["", "2026-13-01", "2026-02-30", f"{FULL_WIDTH_YEAR}-11-22",
                                  "20261122", "2026-W47-1", "2026-1-5", "22/11/2026", "2026-11-22T00"])
def test_what_is_not_a_day_is_refused(text):
    with pytest.raises(ValueError) as refused:
        dates.parse_day(text)
    assert not isinstance(refused.value, dates.OutOfRange)


def test_a_vietnamese_day_is_read_where_one_is_allowed():
    assert dates.parse_day_either("31/12/2027") == date(2027, 12, 31)
    assert dates.parse_day_either("1/1/2027") == date(2027, 1, 1)
    assert dates.parse_day_either("2027-12-31") == date(2027, 12, 31)
    with pytest.raises(dates.OutOfRange):
        dates.parse_day_either("31/12/9999")


@pytest.mark.parametrize(("text", "problem"), [
    ("0000-01", dates.OutOfRange), ("9999-12", dates.OutOfRange), ("1999-12", dates.OutOfRange),
    ("\uff11\uff12\uff13\uff14-05", ValueError), ("2026-13", ValueError), ("2026-1", ValueError)])
def test_a_far_or_foreign_month_is_refused(text, problem):
    with pytest.raises(problem):
        dates.parse_month(text)
    assert dates.parse_month("2100-12") == date(2100, 12, 1)


# --- the producer portal ------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "field", "message"), [
    ("?to=9999-12-31", "to", OUT_OF_RANGE),
    ("?from=0001-01-01", "from", OUT_OF_RANGE),
    ("?from=0000-01-01&to=9999-12-31", "to", OUT_OF_RANGE),
    (f"?from={FULL_WIDTH_YEAR}-01-01", "from", "is not a date: use YYYY-MM-DD"),
])
def test_far_days_in_the_movement_filter_are_a_422_beside_the_field(client, shop, query, field,
                                                                   message):
    html = page(client, "/producer/movements" + query, status=422)
    assert f'<p class="field__error" id="filter-{field}-error">' in html
    assert message in html.split(f'id="filter-{field}-error">')[1].split("</p>")[0]
    assert "data-movement" not in html


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "1999-12", "2026-13", "2026-1", "abc",
                                   "\uff11\uff12\uff13\uff14-05"])
@pytest.mark.parametrize("kind", ["csv", "pdf"])
def test_a_statement_of_a_month_that_is_not_one_is_a_422_naming_the_month(client, shop, month,
                                                                          kind):
    response = client.get(f"/producer/statements/{month}.{kind}")
    assert response.status_code == 422
    assert "Content-Disposition" not in response.headers
    assert (f"“{month}” is not a month from 2000-01 to 2100-12: use YYYY-MM, for example 2026-11."
            in text(response))


def test_the_last_month_the_shop_holds_has_its_statement(client, shop):
    response = client.get("/producer/statements/2100-12.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f'{shop.producer.slug}-2100-12.csv"')


# --- commands -----------------------------------------------------------------------------------

@pytest.mark.parametrize("month", ["0000-01", "9999-12", "\uff11\uff12\uff13\uff14-05", "2026-13"])
def test_the_statements_command_refuses_a_far_month_with_exit_1(app, tmp_path, month):
    builders.producer()
    result = app.test_cli_runner().invoke(args=["shop", "statements", "--month", month,
                                                "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"not a month from 2000-01 to 2100-12: {month!r} (YYYY-MM)" in result.output
    assert not (tmp_path / "out").exists()


def reductions() -> list[tuple]:
    db.session.rollback()
    return [(r.starts_on, r.ends_on, r.percent) for r in db.session.scalars(select(VatReduction))]


@pytest.mark.parametrize(("args", "error"), [
    (["end", "{id}", "9999-12-31"], "not a day from 2000-01-01 to 2100-12-31: '9999-12-31'"),
    (["end", "{id}", "0001-01-01"], "not a day from 2000-01-01 to 2100-12-31: '0001-01-01'"),
    (["end", "{id}", f"{FULL_WIDTH_YEAR}-12-31"], f"not a day as YYYY-MM-DD: '{FULL_WIDTH_YEAR}-12-31'"),
    (["add", "2099-01-01", "9999-12-31"], "not a day from 2000-01-01 to 2100-12-31: '9999-12-31'")])
def test_the_vat_commands_refuse_far_days_and_change_nothing(app, args, error):
    reduction, = rates.reductions()
    before = reductions()
    result = app.test_cli_runner().invoke(args=["shop", "vat", *[a.format(id=reduction.id) for a in args],
                                                "--resolution", "Nghị quyết số 1/2026/QH15"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert f"Error: Invalid value for 'LAST_DAY': {error}" in result.output
    assert reductions() == before


def test_the_certificates_command_refuses_a_horizon_past_the_calendar(app):
    result = app.test_cli_runner().invoke(args=["shop", "certificates-due", "--days", "3000000"])
    assert result.exit_code == 2 and "--days" in result.output
    assert isinstance(result.exception, SystemExit)


# --- the program office -------------------------------------------------------------------------

@pytest.fixture
def office(client, login):
    login(builders.user("admin@example.com", "admin"))
    client.set_cookie("lang", "en")


@pytest.mark.parametrize("ends_on", ["31/12/9999", "9999-12-31", "0001-01-01"])
def test_the_tax_page_refuses_a_far_last_day_beside_the_field(client, office, ends_on):
    reduction, = rates.reductions()
    before = reductions()
    response = client.post(f"/admin/tax/{reduction.id}", data={
        "csrf_token": csrf_token(client, "/admin/tax"), "ends_on": ends_on,
        "resolution": "Nghị quyết số 1/2026/QH15"})
    assert response.status_code == 422
    assert f'id="e-{reduction.id}-ends_on"' in response.get_data(as_text=True)
    assert OUT_OF_RANGE in text(response)
    assert reductions() == before


def test_a_new_reduction_over_far_days_is_refused(client, office):
    before = reductions()
    response = client.post("/admin/tax", data={
        "csrf_token": csrf_token(client, "/admin/tax"), "starts_on": "01/01/2099",
        "ends_on": "31/12/9999", "percent": "8", "resolution": "Nghị quyết số 1/2026/QH15"})
    assert response.status_code == 422
    assert OUT_OF_RANGE in text(response)
    assert reductions() == before


@pytest.mark.parametrize(("decision_date", "problem"), [
    ("9999-12-31", OUT_OF_RANGE), ("0001-01-01", OUT_OF_RANGE),
    ("20261101", "a date as YYYY-MM-DD"), ("2026-W44-7", "a date as YYYY-MM-DD")])
def test_a_decision_dated_far_or_oddly_records_nothing(client, office, decision_date, problem):
    tea = builders.product("Chè", stars=None)
    response = client.post("/admin/decisions", data={
        "csrf_token": csrf_token(client, "/"), "decision_number": "9/QĐ-UBND",
        "decision_date": decision_date, "issuer_level": "province", "issuer_name": "UBND",
        "product_0": tea.slug, "stars_0": "4"})
    assert response.status_code == 422
    assert problem in text(response)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


# --- files --------------------------------------------------------------------------------------

HEADER = ("sku,product_name,variant_label,price_vnd,vat_rate,weight_g,group,description,"
          "origin_story,locality,producer_name,producer_kind,producer_tax_code,"
          "producer_province_code,stars,decision_number,decision_date,issuer_level\n")


@pytest.mark.parametrize(("day", "reason"), [
    ("0001-01-01", "'0001-01-01' is not a day from 2000-01-01 to 2100-12-31"),
    ("20250901", "'20250901' is not a date YYYY-MM-DD")])
def test_a_catalog_row_dated_far_is_refused_with_its_line(day, reason):
    row = f"IMP-1,Mứt,Hộp,100000,10,100,food,,,,HTX A,cooperative,4600000099,19,4,9/QĐ,{day},province\n"
    with pytest.raises(ImportRefused) as refused:
        import_catalog((HEADER + row).encode(), today=builders.DAY)
    assert refused.value.rows == [(2, f"decision_date: {reason}")]
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_a_bank_statement_row_dated_far_is_refused_with_its_line():
    with pytest.raises(ImportRefused) as refused:
        bank_statement.read("date,amount_vnd,purpose\n31/12/9999,1000,OC2611-000001\n"
                            f"{FULL_WIDTH_YEAR}-01-01,1000,OC2611-000001\n")
    assert refused.value.rows == [
        (2, "expected a day from 2000-01-01 to 2100-12-31, found '31/12/9999'"),
        (3, f"expected a date as YYYY-MM-DD or DD/MM/YYYY, found '{FULL_WIDTH_YEAR}-01-01'")]
