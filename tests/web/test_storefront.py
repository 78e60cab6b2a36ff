"""The storefront pages a shopper sees."""

import re
from datetime import date

from shop.catalog import services
from tests import builders


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def names_on(html: str) -> list[str]:
    return re.findall(r'<h3 class="card__title">([^<]+)</h3>', html)


def test_home_shows_five_star_products_and_ways_to_browse(client):
    builders.product("Chè Tân Cương", stars=5)
    builders.product("Mắm tôm", stars=4)
    html = page(client, "/")
    assert names_on(html) == ["Chè Tân Cương"]
    assert 'href="/products?group=handicrafts"' in html
    assert 'href="/products?region=NMM"' in html
    assert "Sản phẩm 5 sao" in html, "Vietnamese by default"


def test_listing_filters_by_stars_group_region_and_province(client):
    builders.product("Chè", stars=5, maker=builders.producer(province_code="19"))
    builders.product("Gốm", stars=4, group="handicrafts", maker=builders.producer(province_code="01"))
    builders.product("Mắm", stars=3, issuer_level="province", decision_date=date(2025, 9, 2),
                     maker=builders.producer(province_code="91"))
    assert names_on(page(client, "/products?stars=5")) == ["Chè"]
    assert sorted(names_on(page(client, "/products?stars=4&stars=3"))) == ["Gốm", "Mắm"]
    assert names_on(page(client, "/products?group=handicrafts")) == ["Gốm"]
    assert names_on(page(client, "/products?region=MD")) == ["Mắm"]
    assert names_on(page(client, "/products?province=19")) == ["Chè"]
    assert names_on(page(client, "/products?stars=5&group=handicrafts")) == []


def test_listing_sorts_and_pages(client):
    for price in (90_000, 30_000, 60_000):
        builders.product(f"Giá {price}", price_vnd=price)
    assert names_on(page(client, "/products?sort=price_asc")) == ["Giá 30000", "Giá 60000", "Giá 90000"]
    assert names_on(page(client, "/products?sort=price_desc&per_page=2")) == ["Giá 90000", "Giá 60000"]
    assert names_on(page(client, "/products?sort=price_desc&per_page=2&page=2")) == ["Giá 30000"]
    assert names_on(page(client, "/products?sort=newest")) == ["Giá 60000", "Giá 30000", "Giá 90000"]


def test_bad_filters_are_a_clear_422(client):
    html = page(client, "/products?stars=6&sort=cheapest", status=422)
    assert "stars are 3, 4 or 5" in html and "sort" in html


def test_product_page_shows_badge_certificate_story_and_prices(client, today):
    item = builders.product("Chè Đinh", stars=5, price_vnd=250_000,
                            origin_story="<p>Vùng chè <strong>Tân Cương</strong></p>")
    certificate = item.certificates[0]
    html = page(client, f"/p/{item.slug}")
    assert "OCOP 5 sao" in html
    assert certificate.decision_number in html and "01/09/2025" in html and "01/09/2028" in html
    assert f'href="/verify/{certificate.verify_code}"' in html
    assert "<p>Vùng chè <strong>Tân Cương</strong></p>" in html
    assert "250.000 ₫" in html


def test_nothing_a_producer_writes_runs_in_the_browser(client):
    item = builders.product(origin_story='<p>Ngon<script>alert("x")</script>'
                                         '<img src=x onerror="alert(1)"></p>')
    html = page(client, f"/p/{item.slug}")
    assert "alert" not in html and "<p>Ngon</p>" in html


def test_an_expired_product_has_no_badge_and_leaves_the_listing(client):
    item = builders.product("Hết hạn", stars=3, decision_date=date(2023, 1, 5),
                            issuer_level="district", today=date(2023, 2, 1))
    assert names_on(page(client, "/products")) == []
    html = page(client, f"/p/{item.slug}")
    assert "OCOP 3 sao" not in html and "không được bán" in html


def test_draft_and_unknown_products_are_404(client):
    draft = builders.product(stars=None)
    page(client, f"/p/{draft.slug}", status=404)
    page(client, "/p/khong-co", status=404)


def test_producer_page_lists_its_certified_products(client):
    maker = builders.producer("HTX Hảo Đạt")
    builders.product("Chè búp", maker=maker)
    builders.product("Chè nháp", maker=maker, stars=None)
    html = page(client, f"/producers/{maker.slug}")
    assert "HTX Hảo Đạt" in html and names_on(html) == ["Chè búp"]


def test_verification_page_says_whether_the_certificate_holds(client, today):
    item = builders.product("Chè", stars=4)
    code = item.certificates[0].verify_code
    html = page(client, f"/verify/{code}")
    assert "verify--valid" in html and "<svg" in html and "Chè" in html
    services.certify(item, stars=5, decision_number="99/QĐ-BNNMT", decision_date=date(2026, 1, 5),
                     issuer_level="central", today=today)
    assert "verify--superseded" in page(client, f"/verify/{code}")
    page(client, "/verify/NOSUCHCODE", status=404)


def test_verification_search_by_decision_number(client):
    item = builders.product("Chè")
    number = item.certificates[0].decision_number
    html = page(client, f"/verify?q={number}")
    assert f"/verify/{item.certificates[0].verify_code}" in html
    assert "/verify/" not in page(client, "/verify?q=000/QĐ").split("</form>")[1]


def test_english_on_request(client):
    builders.product("Chè", stars=5, price_vnd=250_000)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page(client, "/")).group(1)
    response = client.post("/language", data={"lang": "en", "next": "/products",
                                              "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/products"
    html = page(client, "/products")
    assert "Certified products" in html and "from ₫250,000" in html and 'lang="en"' in html


def test_language_switch_never_redirects_off_site(client):
    token = re.search(r'name="csrf_token" value="([^"]+)"', page(client, "/")).group(1)
    for target in ("https://evil.example", "//evil.example", "/\\evil.example"):
        response = client.post("/language", data={"lang": "en", "next": target, "csrf_token": token})
        assert response.headers["Location"] == "/"


def test_static_assets_come_from_our_own_server(client):
    html = page(client, "/")
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert client.get("/static/css/shop.css").status_code == 200
