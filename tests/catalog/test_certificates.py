"""Certificate rules: validity of 36 months on the boundary days, who may certify, badges."""

from datetime import date

import pytest

from shop.catalog import queries, services
from shop.catalog.models import Certificate
from shop.errors import Conflict, ValidationError
from tests import builders


@pytest.mark.parametrize(("decision", "expiry"), [
    (date(2023, 5, 10), date(2026, 5, 10)),
    (date(2024, 2, 29), date(2027, 2, 28)),
    (date(2023, 1, 31), date(2026, 1, 31)),
    (date(2023, 12, 31), date(2026, 12, 31)),
])
def test_valid_36_months_through_the_corresponding_day(decision, expiry):
    assert Certificate.expiry_for(decision) == expiry


def test_validity_on_the_boundary_days():
    item = builders.product(stars=4, decision_date=date(2023, 12, 8))
    certificate = item.certificates[0]
    assert certificate.valid_until == date(2026, 12, 8)
    assert not certificate.is_valid_on(date(2023, 12, 7))
    assert certificate.is_valid_on(date(2023, 12, 8))
    assert certificate.is_valid_on(date(2026, 12, 8))
    assert not certificate.is_valid_on(date(2026, 12, 9))


def test_listed_through_the_last_valid_day_and_gone_the_day_after():
    item = builders.product(stars=4, decision_date=date(2023, 12, 8))
    last_day, day_after = date(2026, 12, 8), date(2026, 12, 9)
    assert [p.id for p in queries.listing(queries.Filters(), last_day).items] == [item.id]
    assert queries.listing(queries.Filters(), day_after).items == []
    assert item.badge_certificate(day_after) is None


@pytest.mark.parametrize(("stars", "day", "level", "field", "message"), [
    (2, date(2025, 1, 1), "province", "stars", "stars must be 3, 4 or 5"),
    (6, date(2025, 1, 1), "central", "stars", "stars must be 3, 4 or 5"),
    (3, date(2025, 7, 1), "district", "issuer_level", "districts no longer certify since 2025-07-01"),
    (4, date(2024, 3, 1), "district", "issuer_level", "a district certified 3-star products only"),
    (5, date(2025, 9, 1), "province", "issuer_level",
     "5-star products are recognised by the ministry (central)"),
    (4, date(2025, 9, 1), "central", "issuer_level", "the ministry recognises 5-star products only"),
    (4, date(2026, 11, 23), "province", "decision_date", "the decision date is in the future"),
    (4, date(2025, 1, 1), "commune", "issuer_level", "issuer_level must be district, province or central"),
])
def test_refused_certificates(stars, day, level, field, message, today):
    assert services.certificate_problems(stars, day, level, today) == {field: message}


def test_district_certificates_before_2025_are_accepted(today):
    assert services.certificate_problems(3, date(2025, 6, 30), "district", today) == {}


def test_refused_certificate_changes_nothing(today):
    item = builders.product(stars=None)
    with pytest.raises(ValidationError) as refused:
        services.certify(item, stars=2, decision_number="1/QĐ", decision_date=date(2025, 1, 1),
                         issuer_level="province", today=today)
    assert refused.value.fields == {"stars": "stars must be 3, 4 or 5"}
    assert item.certificates == [] and item.status == "draft" and item.stars is None


def test_a_product_is_a_draft_until_it_holds_a_valid_certificate(today):
    item = builders.product(stars=None)
    assert item.status == "draft"
    services.certify(item, stars=3, decision_number="9/QĐ-UBND", decision_date=date(2022, 1, 5),
                     issuer_level="district", today=today)
    assert item.status == "draft", "an expired certificate does not put a product on sale"
    services.certify(item, stars=4, decision_number="10/QĐ-UBND",
                     decision_date=date(2025, 2, 1), issuer_level="province", today=today)
    assert (item.status, item.stars, item.certified_until) == ("active", 4, date(2028, 2, 1))


def test_the_newest_certificate_gives_the_badge_and_supersedes_older_ones(today):
    item = builders.product(stars=4, decision_date=date(2024, 3, 1))
    first = item.certificates[0]
    newer = services.certify(item, stars=3, decision_number="77/QĐ-UBND",
                             decision_date=date(2025, 10, 1), issuer_level="province", today=today)
    assert first.status == "superseded" and newer.status == "active"
    assert item.badge_certificate(today) is newer
    assert (item.stars, item.certified_until) == (3, date(2028, 10, 1)), "a star may go down"


def test_recording_an_older_decision_keeps_the_newer_badge(today):
    item = builders.product(stars=4, decision_date=date(2025, 3, 1))
    older = services.certify(item, stars=3, decision_number="5/QĐ-UBND",
                             decision_date=date(2024, 1, 10), issuer_level="district", today=today)
    assert older.status == "superseded"
    assert item.stars == 4


def test_the_same_decision_twice_is_refused(today):
    item = builders.product(stars=4)
    number = item.certificates[0].decision_number
    with pytest.raises(Conflict):
        services.certify(item, stars=4, decision_number=number, decision_date=date(2025, 9, 1),
                         issuer_level="province", today=today)
    assert len(item.certificates) == 1


def test_certificates_due_lists_the_next_30_days_and_the_expired(today):
    soon = builders.product("Sắp hết hạn", stars=4, decision_date=date(2023, 12, 8))
    builders.product("Còn lâu", stars=4, decision_date=date(2024, 12, 23))  # 2027-12-23
    edge = builders.product("Đúng 30 ngày", stars=4, decision_date=date(2023, 12, 22))
    expired = builders.product("Đã hết hạn", stars=3, decision_date=date(2023, 6, 1),
                               issuer_level="district")
    renewed = builders.product("Đã gia hạn", stars=4, decision_date=date(2023, 6, 2))
    services.certify(renewed, stars=4, decision_number="R/QĐ", decision_date=date(2026, 6, 2),
                     issuer_level="province", today=today)
    due = services.certificates_due(today, 30)
    assert [c.product.name for c in due] == [expired.name, soon.name, edge.name]
