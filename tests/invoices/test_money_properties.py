"""Properties of money: VAT splits add up, keep the sign, stay integers; amounts print and
read back; rounding is half away from zero."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shop.invoices.documents import vat_summary
from shop.invoices.issuing import Sold, _line
from shop.money import (
    MAX_AMOUNT_VND,
    basis_points_of,
    divide_rounded,
    format_vnd,
    in_words,
    parse_vnd,
    read_amount,
    split_vat,
    vat_percent,
)

# Every rate an invoice line holds: the categories' rates, and those of invoices issued before.
RATES = ["not_subject", "exempt", "0", "5", "8", "10"]

PROPERTIES = settings(max_examples=400, deadline=None, derandomize=True, database=None)
amounts = st.integers(-10**13, 10**13)
rates = st.sampled_from(RATES)


def half_away_from_zero(exact: Fraction) -> int:
    whole = int(abs(exact) + Fraction(1, 2))  # floor of |x| + 1/2
    return whole if exact >= 0 else -whole


@PROPERTIES
@given(amounts, st.integers(1, 10**6))
def test_divide_rounded_is_half_away_from_zero(numerator, denominator):
    assert divide_rounded(numerator, denominator) == half_away_from_zero(Fraction(numerator, denominator))
    assert divide_rounded(-numerator, denominator) == -divide_rounded(numerator, denominator)


@PROPERTIES
@given(amounts, rates)
def test_a_vat_split_adds_up_keeps_the_sign_and_is_integer(amount, rate):
    before, vat = split_vat(amount, rate)
    assert type(before) is int and type(vat) is int
    assert before + vat == amount
    exact = Fraction(amount * vat_percent(rate), 100 + vat_percent(rate))
    assert abs(vat - exact) <= Fraction(1, 2)
    if amount >= 0:
        assert 0 <= vat <= amount and 0 <= before <= amount
    assert split_vat(-amount, rate) == (-before, -vat)
    if vat_percent(rate) == 0:
        assert vat == 0


@PROPERTIES
@given(st.lists(st.tuples(st.integers(1, 10**9), st.integers(1, 500), rates), min_size=1, max_size=20))
def test_an_invoice_of_sales_has_no_negative_figure(sold):
    lines = [_line(n, Sold(f"S{n}", "x", "", quantity, price, "10_reducible", rate), direct=False)
             for n, (price, quantity, rate) in enumerate(sold, start=1)]
    for row in vat_summary(lines):
        assert row.amount_vnd > 0 and row.before_tax_vnd > 0 and row.vat_vnd >= 0
        assert all(type(v) is int for v in (row.amount_vnd, row.before_tax_vnd, row.vat_vnd))
    assert all(line.before_tax_vnd > 0 and line.vat_vnd >= 0 for line in lines)


@PROPERTIES
@given(amounts, st.integers(0, 10_000))
def test_basis_points_round_half_away_from_zero(amount, points):
    assert basis_points_of(amount, points) == half_away_from_zero(Fraction(amount * points, 10_000))


@PROPERTIES
@given(st.integers(0, 10**15), st.sampled_from(["vi", "en"]))
def test_a_printed_amount_reads_back(amount, locale):
    printed = format_vnd(amount, locale)
    assert parse_vnd(printed) == amount
    assert format_vnd(-amount, locale) == (f"-{printed}" if amount else printed)


@PROPERTIES
@given(st.text(max_size=20))
def test_reading_an_amount_accepts_only_ascii_digits_with_separators(text):
    cleaned = text.strip().replace("₫", "").replace("đ", "").strip()
    cleaned = cleaned.replace(".", "").replace(",", "").replace(" ", "")
    if cleaned.isascii() and cleaned.isdigit():
        assert parse_vnd(text) == int(cleaned)
    else:
        with pytest.raises(ValueError, match="not a whole number of đồng"):
            parse_vnd(text)


@PROPERTIES
@given(st.integers(0, 10**12))
def test_a_form_amount_is_refused_past_ten_billion(amount):
    if amount <= MAX_AMOUNT_VND:
        assert read_amount(f"{amount:,}") == amount
    else:
        with pytest.raises(ValueError, match="more than"):
            read_amount(str(amount))


@PROPERTIES
@given(st.integers(-10**15, 10**15))
def test_amounts_in_words_are_well_formed(amount):
    words = in_words(amount)
    assert words.endswith(" đồng") and words[0].isupper()
    assert "  " not in words and words == words.strip()
    assert words.startswith("Âm ") == (amount < 0)
    assert (words == "Không đồng") == (amount == 0)
