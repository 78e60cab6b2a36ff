"""Search over HTTP: the storefront results page, the header box, the API and its contract."""

from __future__ import annotations

from tests import builders


def test_the_results_page_highlights_matches_safely_and_keeps_the_query_in_filters(client):
    builders.product("Nước mắm Phú Quốc", description="Nước mắm <script>x()</script> cá cơm")
    builders.product("Nước cốt dừa", group="beverages")
    html = client.get("/products?q=nuoc+mam").get_data(as_text=True)
    assert "Kết quả tìm kiếm cho “nuoc mam”" in html
    assert "<mark>Nước</mark> <mark>mắm</mark> &lt;script&gt;x()&lt;/script&gt; cá cơm" in html
    assert "<script>x()" not in html
    assert '<input type="hidden" name="q" value="nuoc mam">' in html
    assert "Nước cốt dừa" not in html


def test_the_results_page_says_did_you_mean(client):
    builders.product("Bánh cáy làng Nguyễn")
    html = client.get("/products?q=banh+cay+nguen").get_data(as_text=True)
    assert 'Có phải bạn muốn tìm\n  <a href="/products?q=banh+cay+nguyen">banh cay nguyen</a>?' in html
    assert "Bánh cáy làng Nguyễn" in html


def test_no_match_and_a_too_long_query(client):
    assert "Không có sản phẩm được chứng nhận nào khớp với nội dung tìm kiếm." in client.get(
        "/products?q=zzzzqqq").get_data(as_text=True)
    assert client.get("/products?q=" + "a" * 201).status_code == 422


def test_every_page_has_the_search_box_with_its_script(client):
    html = client.get("/").get_data(as_text=True)
    assert 'role="search"' in html and 'data-suggest-url="/api/v1/suggest"' in html
    assert '<script src="/static/js/search.js" defer></script>' in html
    assert client.get("/static/js/search.js").status_code == 200


def test_api_products_with_q_keeps_the_contract(client, validate):
    builders.product("Cà phê Chư Mui", stars=3)
    builders.product("Cà phê rang xay DAKMARK", stars=4)
    builders.product("Chè Thái", stars=5)
    body = validate(client.get("/api/v1/products?q=coffee&stars=4").get_json(), "ProductList")
    assert [item["name"] for item in body["items"]] == ["Cà phê rang xay DAKMARK"]
    assert (body["total"], body["page"], body["per_page"]) == (1, 1, 24)
    assert body["facets"]["stars"] == {"3": 1, "4": 1, "5": 0}
    assert set(body["items"][0]) == {"slug", "name", "stars", "group", "province", "region",
                                     "producer", "price_vnd", "in_stock", "url"}


def test_api_products_rejects_a_too_long_query(client, validate):
    response = client.get("/api/v1/products?q=" + "a" * 201)
    assert response.status_code == 422
    body = validate(response.get_json(), "Error")
    assert body["error"]["details"]["fields"] == {"q": "at most 200 characters"}


def test_api_suggest(client, validate):
    item = builders.product("Nước mắm Phú Quốc")
    body = validate(client.get("/api/v1/suggest?q=nuoc+mam+ph").get_json(), "Suggestions")
    assert body == {"q": "nuoc mam ph", "suggestions": [{
        "slug": item.slug, "name": "Nước mắm Phú Quốc", "producer": item.producer.name,
        "province": "Thái Nguyên", "url": f"/p/{item.slug}"}]}
    assert client.get("/api/v1/suggest?q=").get_json() == {"q": "", "suggestions": []}


def test_the_openapi_document_describes_search(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["paths"]["/products"]["get"]["parameters"][0]["name"] == "q"
    assert document["paths"]["/suggest"]["get"]["operationId"] == "suggest"
