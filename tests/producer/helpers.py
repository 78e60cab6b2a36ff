"""Reading and posting the producer pages from tests."""

from __future__ import annotations

import html
import re

from shop.catalog.models import Variant
from shop.extensions import db
from shop.inventory.models import Location, StockLevel, StockMovement
from tests import builders
from tests.conftest import csrf_token


def post(client, path: str, data: dict | None = None):
    """POST a form the way a browser does: with the session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, "/")})


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return text(response)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def row(page_html: str, attribute: str, key: str) -> str:
    match = re.search(rf'<tr[^>]*{attribute}="{re.escape(key)}"[^>]*>(.*?)</tr>', page_html, re.S)
    assert match, f"no row {attribute}={key}"
    return match.group(1)


def cells(row_html: str, *classes: str) -> list[str]:
    """The text of the cells with these classes, in that order."""
    found = []
    for name in classes:
        match = re.search(rf'<t[dh] class="[^"]*\b{name}\b[^"]*"[^>]*>\s*([^<]*?)\s*<', row_html)
        assert match, f"no cell {name} in {row_html}"
        found.append(match.group(1))
    return found


def fresh() -> None:
    """Forget what the test's own session read: the requests wrote through their own sessions."""
    db.session.rollback()


def level(variant: Variant, location: Location) -> tuple[int, int]:
    fresh()
    found = db.session.scalar(db.select(StockLevel).where(
        StockLevel.variant_id == variant.id, StockLevel.location_id == location.id))
    return (found.on_hand, found.reserved) if found else (0, 0)


def ledger(variant: Variant | None = None) -> list[tuple[str, int, int, str]]:
    """(reason, location id, delta, note) of every movement, oldest first."""
    fresh()
    query = db.select(StockMovement).order_by(StockMovement.id)
    if variant is not None:
        query = query.where(StockMovement.variant_id == variant.id)
    return [(m.reason, m.location_id, m.delta, m.note) for m in db.session.scalars(query)]


def other_producer_with_goods(point: Location, quantity: int = 7):
    """A second producer whose goods also sit at the sales point."""
    item = builders.product("Mắm tôm", sku="MAM-1")
    builders.receive(item, point, quantity)
    return item



def table_rows(page_html: str, attribute: str) -> list[list[str]]:
    """The cell texts of each row carrying `attribute`, top to bottom."""
    found = []
    for body in re.findall(rf'<tr[^>]*\b{attribute}="[^"]*"[^>]*>(.*?)</tr>', page_html, re.S):
        cells_html = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body, re.S)
        found.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells_html])
    return found


def flash_after(client, response) -> str:
    """The page a redirect leads to, with its flash message."""
    assert response.status_code == 303, response.status_code
    return page(client, response.headers["Location"])
