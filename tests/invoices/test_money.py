"""VAT of VAT-inclusive prices, withholding in basis points, and amounts in Vietnamese words."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shop.invoices.documents import vat_summary
from shop.invoices.issuing import Sold, _line
from shop.money import basis_points_of, in_words, split_vat, vat_percent

# Every rate an invoice line holds: the categories' rates, and those of invoices issued before.
RATES = ["not_subject", "exempt", "0", "5", "8", "10"]


@pytest.mark.parametrize(("amount", "rate", "expected"), [
    (108_000, "8", (100_000, 8_000)),
    (110_000, "10", (100_000, 10_000)),
    (105_000, "5", (100_000, 5_000)),
    (150_000, "8", (138_889, 11_111)),   # 138,888.89 rounds up
    (100, "8", (93, 7)),                 # 92.59 rounds up
    (27, "8", (25, 2)),                  # exactly 25
    (135, "8", (125, 10)),
    (81, "8", (75, 6)),
    (-150_000, "8", (-138_889, -11_111)),  # a reversal mirrors the original exactly
    (90_000, "exempt", (90_000, 0)),
    (90_000, "0", (90_000, 0)),
])
def test_split_vat_rounds_half_away_from_zero_and_adds_up(amount, rate, expected):
    assert split_vat(amount, rate) == expected


def test_a_half_dong_rounds_away_from_zero():
    assert split_vat(1, "5") == (1, 0)        # 0.952 -> 1
    assert split_vat(1, "10") == (1, 0)       # 0.909 -> 1
    assert basis_points_of(50, 100) == 1      # 0.5 -> 1
    assert basis_points_of(-50, 100) == -1
    assert basis_points_of(49, 100) == 0
    assert basis_points_of(1_000_000, 150) == 15_000


@pytest.mark.parametrize(("amount", "words"), [
    (0, "Không đồng"),
    (5, "Năm đồng"),
    (15, "Mười lăm đồng"),
    (21, "Hai mươi mốt đồng"),
    (25, "Hai mươi lăm đồng"),
    (105, "Một trăm linh năm đồng"),
    (110, "Một trăm mười đồng"),
    (120_000, "Một trăm hai mươi nghìn đồng"),
    (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
    (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
    (2_000_001_000, "Hai tỷ không trăm linh một nghìn đồng"),
    (-35_000, "Âm ba mươi lăm nghìn đồng"),
])
def test_amounts_in_vietnamese_words(amount, words):
    assert in_words(amount) == words


lines = st.lists(st.tuples(st.integers(1, 5_000_000), st.integers(-50, 200).filter(bool),
                           st.sampled_from(RATES)), min_size=1, max_size=30)


@settings(deadline=None, max_examples=300)
@given(lines)
def test_lines_always_sum_to_the_totals_per_rate_and_overall(sold):
    invoice_lines = [
        _line(n, Sold(f"S{n}", "x", "", quantity, price, "10_reducible", rate), direct=False)
        for n, (price, quantity, rate) in enumerate(sold, start=1)]
    total = sum(price * quantity for price, quantity, _ in sold)
    summary = vat_summary(invoice_lines)
    assert sum(line.before_tax_vnd + line.vat_vnd for line in invoice_lines) == total
    assert sum(row.before_tax_vnd + row.vat_vnd for row in summary) == total
    for row in summary:
        of_rate = [line for line in invoice_lines if line.vat_rate == row.rate]
        assert row.amount_vnd == sum(line.amount_vnd for line in of_rate)
        assert row.before_tax_vnd == sum(line.before_tax_vnd for line in of_rate)
        assert row.vat_vnd == sum(line.vat_vnd for line in of_rate)
    for line in invoice_lines:
        exact = line.amount_vnd * vat_percent(line.vat_rate) / (100 + vat_percent(line.vat_rate))
        assert abs(line.vat_vnd - exact) <= 0.5
