"""The program in figures equals counts made here, independently, from what the test built."""

from collections import Counter
from datetime import date

import pytest

from shop.catalog import registry
from shop.orders import carts, checkout
from shop.orders import services as orders
from shop.pos import schemas
from shop.pos import services as pos
from tests import builders

DAY = builders.DAY
# (name, stars, group, province, producer kind, decision date); the last one has expired by DAY
# and the "suspended" one is not on sale: neither is a certified product on DAY.
PRODUCTS = [
    ("Chè Tân Cương", 5, "food", "19", "cooperative", date(2025, 9, 1)),
    ("Nước mắm Phú Quốc", 4, "food", "91", "enterprise", date(2026, 3, 5)),
    ("Mật ong Đồng Văn", 4, "food", "08", "household", date(2025, 11, 20)),
    ("Rượu cần", 3, "beverages", "08", "household", date(2025, 11, 2)),
    ("Trà atiso", 3, "herbal", "68", "cooperative", date(2024, 2, 26)),
    ("Nón lá", 3, "handicrafts", "46", "cooperative_group", date(2026, 10, 10)),
    ("Suspended", 3, "food", "22", "enterprise", date(2026, 1, 15)),
    ("Bánh cáy", 4, "food", "33", "enterprise", date(2023, 11, 21)),
]
# the regions of those provinces in the 2025 units (Thái Nguyên, An Giang, Tuyên Quang, ...)
REGION_OF = {"19": "NMM", "91": "MD", "08": "NMM", "68": "CH", "46": "NCC", "22": "RRD", "33": "RRD"}


@pytest.fixture
def world():
    made = {}
    for name, stars, group, province, kind, decided in PRODUCTS:
        maker = builders.producer(kind=kind, province_code=province)
        made[name] = builders.product(name, maker=maker, stars=stars, group=group,
                                      decision_date=decided, sku=f"SKU-{len(made)}", price_vnd=100_000,
                                      today=decided)
    registry.suspend_product(made["Suspended"], "mẫu kiểm tra không đạt", actor_id=None)
    point = builders.sales_point("QN-HALONG", province_code="22")
    for item in made.values():
        builders.receive(item, point, 20)
    return made, point



def buy(point, sku: str, quantity: int):
    cart = carts.add(carts.create(), sku, quantity, today=DAY)
    details = checkout.parse({"email": "an@example.com", "phone": "0912345678", "name": "An",
                              "fulfilment": "pickup", "pickup_point": point.code,
                              "payment_method": "cod"})
    return orders.place_order(cart, details, settings=checkout.OrderSettings(), today=DAY)[1]


def sell_at_counter(point, n: int, sku: str, quantity: int):
    body = {"id": f"{n:08d}-0000-4000-8000-000000000000", "occurred_at": "2026-11-20T09:15:00+07:00",
            "payment_method": "cash", "lines": [{"sku": sku, "quantity": quantity, "unit_price_vnd": 90_000}]}
    assert pos.record_sale(point, schemas.parse_sale(body))[0] is True


def rows(table) -> dict:
    return {row["key"]: row["count"] for row in table["rows"]}


def listed_on(day):
    return [p for p in PRODUCTS if p[0] != "Suspended"
            and day <= p[5].replace(year=p[5].year + 3)]


def test_the_figures_match_counts_made_here(client, world, monkeypatch):
    made, point = world
    monkeypatch.setattr("shop.web.api.stats.today", lambda: DAY)
    tea, sauce = made["Chè Tân Cương"].variants[0].sku, made["Nước mắm Phú Quốc"].variants[0].sku
    buy(point, tea, 3)
    buy(point, sauce, 1)
    cancelled = buy(point, sauce, 5)
    orders.cancel_order(cancelled, actor_id=None, reason="test")
    sell_at_counter(point, 1, sauce, 4)
    sell_at_counter(point, 2, tea, 1)

    body = client.get("/api/v1/stats").get_json()
    tables = body["tables"]
    listed = listed_on(DAY)
    assert body["day"] == "2026-11-22"
    assert rows(tables["products_by_stars"]) == {str(k): v for k, v in Counter(p[1] for p in listed).items()}
    assert rows(tables["products_by_group"]) == dict(Counter(p[2] for p in listed))
    assert rows(tables["products_by_region"]) == dict(Counter(REGION_OF[p[3]] for p in listed))
    assert rows(tables["products_by_province"]) == dict(Counter(p[3] for p in listed))
    assert tables["products_by_stars"]["total"] == len(listed) == 6
    shares = {row["key"]: row["share"] for row in tables["products_by_stars"]["rows"]}
    assert shares == {"3": 50.0, "4": 33.3, "5": 16.7}
    assert rows(tables["producers_by_kind"]) == dict(Counter(p[4] for p in PRODUCTS))
    issued = rows(tables["certificates_issued_by_month"])
    assert list(issued) == [f"2025-{m:02d}" for m in range(12, 13)] + [f"2026-{m:02d}" for m in range(1, 12)]
    assert {k: v for k, v in issued.items() if v} == {"2026-01": 1, "2026-03": 1, "2026-10": 1}
    expiring = rows(tables["certificates_expiring_by_month"])
    assert list(expiring)[0] == "2026-11" and len(expiring) == 12
    # bánh cáy (decided 2023-11-21) and the atiso tea (2024-02-26), 36 months on
    assert {k: v for k, v in expiring.items() if v} == {"2026-11": 1, "2027-02": 1}
    # Online: the cancelled order does not count; the tea's producer is in NMM, the sauce's in MD.
    online = {r["key"]: (r["count"], r["amount_vnd"]) for r in tables["online_sales_by_region"]["rows"]}
    assert online == {"NMM": (3, 300_000), "MD": (1, 100_000)}
    counter = tables["counter_sales_by_sales_point"]["rows"]
    assert [(r["key"], r["count"], r["amount_vnd"]) for r in counter] == [("QN-HALONG", 2, 450_000)]
    top = [(r["label"], r["count"], r["amount_vnd"]) for r in tables["top_products"]["rows"]]
    assert top == [("Nước mắm Phú Quốc", 5, 460_000), ("Chè Tân Cương", 4, 390_000)]


def test_the_api_document_describes_the_stats(client, world, validate):
    validate(client.get("/api/v1/stats").get_json(), "Stats")


def test_the_stats_hold_no_personal_data(client, world):
    made, point = world
    buy(point, made["Chè Tân Cương"].variants[0].sku, 1)
    text = client.get("/api/v1/stats").get_data(as_text=True)
    assert "an@example.com" not in text and "0912345678" not in text


def test_the_dashboard_shows_each_table_with_a_chart_and_its_csv(client, login, world, monkeypatch):
    monkeypatch.setattr("shop.web.admin.home.today", lambda: DAY)
    login(builders.user("office@example.com", "admin"))
    page = client.get("/admin/").get_data(as_text=True)
    # no sale yet: the three sales tables say so instead of drawing an empty chart
    assert page.count('<svg class="chart"') == 7
    assert page.count("Chưa có số liệu.") == 3
    assert '<tr data-key="5"><th scope="row">5★</th><td class="num">1</td>' in page
    assert '<tr data-key="food"><th scope="row">Thực phẩm</th><td class="num">3</td>' in page
    csv_file = client.get("/admin/stats/products_by_group.csv")
    assert csv_file.mimetype == "text/csv"
    lines = csv_file.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "key,label,count,share_percent,amount_vnd"
    assert "food,Thực phẩm,3,50.0," in lines
    assert client.get("/admin/stats/nope.csv").status_code == 404
