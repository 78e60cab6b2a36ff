"""Schemathesis over every operation of /api/v1/openapi.json, in process against the app.

Each operation gets generated requests, valid and invalid by the document (both modes), over a
small shop: two products, stock at a warehouse and a sales point, a POS device of a manager,
a transfer in transit, a submitted count, an open cart and a placed order. Path parameters and
SKUs are drawn from those real values as well as generated ones, and the POS and order
operations are called with valid credentials, so that the happy paths run too. Every response
must be documented by the operation (status code, content type, body schema) and none may be
a 5xx.
"""

from __future__ import annotations

import contextvars
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks

from shop.extensions import db
from shop.inventory import transfers
from shop.pos import devices
from shop.web.api.openapi import DOCUMENT
from tests import builders

CHECKS = [checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance,
          checks.negative_data_rejection]
DELIVERY = {"email": "an@example.com", "phone": "0912345678", "name": "Nguyễn Văn An",
            "fulfilment": "delivery",
            "address": {"line": "12 Lê Lợi", "ward_code": "00004", "province_code": "01"},
            "pickup_point": None, "payment_method": "cod"}


@dataclass
class Shop:
    skus: list[str]
    slugs: list[str]
    device_token: str
    cart: str
    order: str
    order_token: str
    transfer: int
    count: str


# The document the app serves (a test below checks they are the same), loaded once at import:
# schemathesis's fixture loader does not run under pytest 9.2, and the app is a fixture.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(DOCUMENT)))
# Unknown parameters are ignored by contract (API.md), and credentials are the test's to send.
schema.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)
# The shop's real values, set by the `shop` fixture before any case of a test is drawn.
REAL: dict[str, Shop] = {}


@pytest.fixture
def shop(client) -> Shop:
    tea = builders.product("Chè Đinh Tân Cương", sku="TNG-CHE-200", price_vnd=250_000, stars=5)
    sauce = builders.product("Nước mắm Cửa Khe", sku="MAM-1", price_vnd=120_000, vat_category="10",
                             maker=builders.producer("HTX Mắm", province_code="46"))
    house, point = builders.warehouse(tea.producer), builders.sales_point("QN-HALONG")
    for item, quantity in ((tea, 500), (sauce, 40)):
        builders.receive(item, house if item is tea else builders.warehouse(sauce.producer), quantity)
        builders.receive(item, point, 30)
    moving = transfers.send_transfer(transfers.create_transfer(house, point, [(tea.variants[0].id, 5)]))
    token = devices.create_device(point, "Quầy 1", can_apply_counts=True)[1]
    bearer = {"Authorization": f"Bearer {token}"}
    count = client.post("/api/v1/pos/counts", headers=bearer, json={
        "id": str(uuid.uuid4()), "counted_at": datetime.now(UTC).isoformat(),
        "lines": [{"sku": "TNG-CHE-200", "counted": 29}]}).get_json()
    cart = client.post("/api/v1/carts").get_json()["id"]
    client.post(f"/api/v1/carts/{cart}/lines", json={"sku": "TNG-CHE-200", "quantity": 1})
    placed = client.post(f"/api/v1/carts/{cart}/checkout", json=DELIVERY).get_json()["order"]
    open_cart = client.post("/api/v1/carts").get_json()["id"]
    client.post(f"/api/v1/carts/{open_cart}/lines", json={"sku": "MAM-1", "quantity": 2})
    REAL["shop"] = Shop(["TNG-CHE-200", "MAM-1"], [tea.slug, sauce.slug], token, open_cart,
                        placed["number"], placed["access_token"], moving.id, count["id"])
    return REAL["shop"]


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Mostly the real slug, cart, order, count or transfer rather than a made-up one."""
    if not path_parameters or "shop" not in REAL:  # no shop yet while examples are collected
        return st.just(path_parameters)
    shop, path = REAL["shop"], context.operation.path
    real = {"slug": st.sampled_from(shop.slugs), "number": st.just(shop.order),
            "code": st.sampled_from(["01", "19", "46"]),
            "id": st.just({"/carts/{id}": shop.cart, "/carts/{id}/lines": shop.cart,
                           "/carts/{id}/checkout": shop.cart, "/pos/counts/{id}/apply": shop.count,
                           "/pos/transfers/{id}/receive": shop.transfer}.get(path))}
    chosen = st.fixed_dictionaries({k: real.get(k, st.just(v)) for k, v in path_parameters.items()})
    return st.sampled_from([False, True, True, True]).flatmap(
        lambda use_real: chosen if use_real else st.just(path_parameters))


@schema.hook
def flatmap_body(context, body):
    """Half the time, the SKUs of a body's lines are the shop's own; a checkout gets some valid details."""
    if not isinstance(body, dict) or "shop" not in REAL or not is_valid_body(context.operation, body):
        return st.just(body)  # an invalid body stays as drawn: making it valid would hide a case
    if "fulfilment" in body:  # a checkout: some of the buyer's details made valid, or all of them
        return st.sets(st.sampled_from(sorted(DELIVERY))).map(
            lambda keys: body | {key: DELIVERY[key] for key in keys})
    return st.one_of(st.just(body), st.sampled_from(REAL["shop"].skus).map(lambda sku: with_sku(body, sku)))


def is_valid_body(operation, body) -> bool:
    """Whether `body` is valid by the operation's request schema in our document."""
    name = operation.definition.raw["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = {"$ref": name.replace("#", "urn:api#"), "$schema": "https://json-schema.org/draft/2020-12/schema"}
    return Draft202012Validator(schema, registry=REGISTRY).is_valid(body)


REGISTRY = Registry().with_resource(
    "urn:api", Resource.from_contents(json.loads(json.dumps(DOCUMENT)), default_specification=DRAFT202012))


def with_sku(body: dict, sku: str) -> dict:
    body = dict(body)
    if "sku" in body:
        body["sku"] = sku
    for key in ("lines", "sales"):
        if isinstance(body.get(key), list):
            body[key] = [with_sku(item, sku) if isinstance(item, dict) else item for item in body[key]]
    return body


@schema.parametrize()
@settings(max_examples=20, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, shop, app):
    headers = {}
    if case.path.startswith("/pos/"):
        headers["Authorization"] = f"Bearer {shop.device_token}"
    elif case.path.startswith("/orders/"):
        headers["Authorization"] = f"Bearer {shop.order_token}"
    response = contextvars.Context().run(case.call_and_validate, app=app, headers=headers, checks=[
        not_a_server_error, *CHECKS])
    db.session.rollback()
    assert response.status_code < 500


def test_the_fuzzed_document_is_the_served_one(client):
    assert client.get("/api/v1/openapi.json").get_json() == json.loads(json.dumps(DOCUMENT))
