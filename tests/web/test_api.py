"""The catalog part of the JSON API, checked against API.md and our own OpenAPI document."""

from tests import builders


def test_product_list_has_the_contract_shape(client, validate):
    maker = builders.producer("HTX chè Hảo Đạt", province_code="19")
    builders.product("Chè Đinh Tân Cương", maker=maker, stars=5, price_vnd=250_000)
    body = validate(client.get("/api/v1/products").get_json(), "ProductList")
    assert body["page"] == 1 and body["per_page"] == 24 and body["total"] == 1
    assert body["items"] == [{
        "slug": "che-dinh-tan-cuong", "name": "Chè Đinh Tân Cương", "stars": 5, "group": "food",
        "province": {"code": "19", "name": "Thái Nguyên"}, "region": "NMM",
        "producer": {"slug": "htx-che-hao-dat", "name": "HTX chè Hảo Đạt", "kind": "cooperative"},
        "price_vnd": 250000, "in_stock": False, "url": "/p/che-dinh-tan-cuong",
    }]
    assert body["facets"]["stars"] == {"3": 0, "4": 0, "5": 1}
    assert body["facets"]["region"]["NMM"] == 1 and body["facets"]["group"]["food"] == 1
    assert body["facets"]["province"] == {"19": 1}


def test_facets_count_under_the_other_filters(client):
    builders.product("A", stars=5, maker=builders.producer(province_code="19"))
    builders.product("B", stars=4, maker=builders.producer(province_code="19"))
    builders.product("C", stars=4, group="handicrafts", maker=builders.producer(province_code="01"))
    body = client.get("/api/v1/products?stars=4&region=NMM").get_json()
    assert [i["name"] for i in body["items"]] == ["B"]
    assert body["facets"]["stars"] == {"3": 0, "4": 1, "5": 1}
    assert body["facets"]["region"]["NMM"] == 1 and body["facets"]["region"]["RRD"] == 1
    assert body["facets"]["group"]["food"] == 1 and body["facets"]["group"]["handicrafts"] == 0


def test_in_stock_follows_what_can_be_sold_online(client):
    item = builders.product("Chè")
    builders.receive(item, builders.sales_point("HUE-1", province_code="46", ships_online=False), 5)
    assert client.get("/api/v1/products").get_json()["items"][0]["in_stock"] is False
    builders.receive(item, builders.warehouse(item.producer), 3)
    assert client.get("/api/v1/products").get_json()["items"][0]["in_stock"] is True


def test_product_detail(client, validate):
    item = builders.product("Chè", stars=4, price_vnd=120_000, sku="CHE-1")
    builders.receive(item, builders.warehouse(item.producer), 7)
    builders.receive(item, builders.sales_point("QN-HALONG"), 4)
    body = validate(client.get(f"/api/v1/products/{item.slug}").get_json(), "ProductDetail")
    certificate = item.certificates[0]
    assert body["certificate"] == {
        "stars": 4, "decision_number": certificate.decision_number, "decision_date": "2025-09-01",
        "issuer_level": "province", "issuer_name": "UBND tỉnh Thái Nguyên",
        "valid_until": "2028-09-01", "verify_url": f"/verify/{certificate.verify_code}"}
    assert body["variants"] == [{"sku": "CHE-1", "label": "Hộp 200 g", "price_vnd": 120000,
                                 "vat_rate": "8", "vat_category": "10_reducible",
                                 "available_online": 11}]
    assert body["sales_points"] == [{"code": "QN-HALONG", "name": "Điểm bán QN-HALONG",
                                     "province": {"code": "22", "name": "Quảng Ninh"},
                                     "available": {"CHE-1": 4}}]


def test_errors_have_the_contract_shape(client, validate):
    missing = client.get("/api/v1/products/khong-co")
    assert missing.status_code == 404
    assert validate(missing.get_json(), "Error")["error"]["code"] == "not_found"
    bad = client.get("/api/v1/products?stars=2,4&per_page=500&region=XX")
    assert bad.status_code == 422
    error = validate(bad.get_json(), "Error")["error"]
    assert error["code"] == "validation_error"
    assert set(error["details"]["fields"]) == {"stars", "per_page", "region"}


def test_paging(client):
    for n in range(5):
        builders.product(f"SP {n}", price_vnd=10_000 * (n + 1))
    body = client.get("/api/v1/products?sort=price_asc&per_page=2&page=3").get_json()
    assert (body["total"], [i["name"] for i in body["items"]]) == (5, ["SP 4"])
    assert client.get("/api/v1/products?page=9").get_json()["items"] == []


def test_openapi_document_lists_the_operations(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert {"/products", "/products/{slug}"} <= set(document["paths"])
