"""Catalog pages and API reads are cached until the catalog changes, and answered with ETags;
what belongs to one visitor is never cached."""

import re
import uuid
from datetime import date

import pytest

from shop import create_app
from shop.catalog import listings, registry
from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory.models import Location
from tests import builders
from tests.conftest import csrf_token
from tests.services import needs_redis
from tests.web.test_query_counts import counting

PAGES = ["/", "/products", "/p/{slug}", "/api/v1/products", "/api/v1/products/{slug}"]


@pytest.fixture
def item():
    product = builders.product("Chè Tân Cương", sku="CHE-1", price_vnd=150_000, stars=5)
    builders.receive(product, builders.warehouse(product.producer), 5)
    return product


def _warehouse(item):
    return db.session.scalar(db.select(Location).where(Location.producer_id == item.producer_id))


def get(client, path: str, **headers):
    return client.get(path, headers=headers)


def shown(client, path: str) -> bytes:
    """The page without its CSRF tokens (signed with the time: they differ by the second)."""
    return re.sub(rb'name="csrf_token" value="[^"]+"', b"", get(client, path).get_data())


def test_a_second_request_is_served_from_the_cache(client, item):
    for template in PAGES:
        path = template.format(slug=item.slug)
        first = shown(client, path)
        with counting() as statements:
            again = shown(client, path)
        assert again == first, path
        assert len(statements) == 1, (path, statements)  # the catalog generation, nothing else


EVERY_PAGE = set(PAGES)


@pytest.mark.parametrize(("change", "shown_on"), [
    ("price", EVERY_PAGE), ("name", EVERY_PAGE), ("suspension", EVERY_PAGE),
    ("revocation", EVERY_PAGE), ("stock", EVERY_PAGE - {"/"})])  # home cards show no stock
def test_every_kind_of_catalog_change_shows_at_once(client, item, change, shown_on):
    pages = {t: shown(client, t.format(slug=item.slug)) for t in PAGES}
    if change == "price":
        listings.update_variant(item.variants[0], actor_id=None, price_vnd=99_000)
    elif change == "name":
        listings.update_listing(item, actor_id=None, name="Chè búp Tân Cương")
    elif change == "stock":
        inventory.record_adjustment(_warehouse(item), item.variants[0], 5, "damage",
                                    actor_id=None, note="ướt")
    elif change == "suspension":
        registry.suspend_product(item, "kiểm tra chất lượng", actor_id=None)
    else:
        registry.revoke_certificate(item.certificates[0], "sai hồ sơ", actor_id=None)
    changed = {t for t in PAGES if shown(client, t.format(slug=item.slug)) != pages[t]}
    assert changed == shown_on


def test_the_day_is_in_the_key_so_an_expired_certificate_leaves_the_cached_page(
        client, monkeypatch):
    item = builders.product("Mắm Cái", decision_date=date(2023, 12, 8), today=date(2026, 11, 22))
    for module in ("shop.web.caching", "shop.web.storefront.products"):
        monkeypatch.setattr(f"{module}.today", lambda: date(2026, 12, 8))
    assert "badge--4" in get(client, f"/p/{item.slug}").get_data(as_text=True)
    for module in ("shop.web.caching", "shop.web.storefront.products"):
        monkeypatch.setattr(f"{module}.today", lambda: date(2026, 12, 9))
    assert "badge--4" not in get(client, f"/p/{item.slug}").get_data(as_text=True)


def test_the_visitors_own_parts_are_never_cached(client, app, item, login):
    shopper = builders.user("an@example.com")
    login(shopper)
    signed_in = get(client, f"/p/{item.slug}").get_data(as_text=True)
    stranger = app.test_client()
    page = get(stranger, f"/p/{item.slug}").get_data(as_text=True)
    assert "/logout" in signed_in and "/logout" not in page and "/login" in page
    token = csrf_token(stranger, f"/p/{item.slug}")
    assert token != csrf_token(client, f"/p/{item.slug}")
    added = stranger.post("/cart/lines", data={"csrf_token": token, "sku": "CHE-1",
                                               "quantity": "1"})
    assert added.status_code in (302, 303)  # the cached form carries the stranger's own token


def test_html_pages_answer_304_to_their_own_etag_until_the_catalog_changes(client, item):
    path = f"/p/{item.slug}"
    get(client, "/")  # the session has its CSRF token from now on
    first = get(client, path)
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in first.headers["Vary"]
    etag = first.headers["ETag"]
    with counting() as statements:
        again = get(client, path, **{"If-None-Match": etag})
    assert (again.status_code, again.get_data(), len(statements)) == (304, b"", 1)
    listings.update_variant(item.variants[0], actor_id=None, price_vnd=99_000)
    changed = get(client, path, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    other = get(client.application.test_client(), path)
    assert other.headers["ETag"] != changed.headers["ETag"]  # another session, another ETag


def test_api_reads_answer_304_and_may_be_kept_by_shared_caches(client, item):
    for path in ("/api/v1/products", f"/api/v1/products/{item.slug}"):
        first = get(client, path)
        assert first.headers["Cache-Control"] == "public, no-cache"
        again = get(client, path, **{"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path
        assert get(client.application.test_client(), path).headers["ETag"] == \
            first.headers["ETag"]  # the same for everyone


def test_a_page_with_a_flashed_message_is_not_kept(client, item):
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Đã thêm vào giỏ")]
        session["csrf_token"] = "x" * 40
    response = get(client, f"/p/{item.slug}")
    assert "Đã thêm vào giỏ" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers


def test_a_page_of_results_is_kept_until_the_catalog_or_the_index_changes(client, item):
    from shop import search

    path = "/products?q=che"
    first = shown(client, path)
    assert "Chè Tân Cương" in first.decode()
    with counting() as statements:
        again = shown(client, path)
    assert again == first and len(statements) == 1  # the catalog generation, nothing else
    search.reindex()  # the index alone is made again: the page is made again from it
    with counting() as statements:
        assert shown(client, path) == first
    assert len(statements) > 1
    listings.update_listing(item, actor_id=None, name="Chè búp Tân Cương")
    assert "Chè búp Tân Cương" in shown(client, path).decode()


def test_results_answered_without_the_index_are_not_kept(client, item, monkeypatch):
    from shop.search import backends

    def down(self, plan, limit=None):
        raise backends.Unavailable("index down")

    monkeypatch.setattr(backends.WhooshBackend, "search", down)
    monkeypatch.setattr(backends.WhooshBackend, "version", lambda self: "down")
    path = "/products?q=che"
    assert "Chè Tân Cương" in shown(client, path).decode()  # answered from the database
    with counting() as statements:
        assert "Chè Tân Cương" in shown(client, path).decode()
    assert len(statements) > 1  # made again: a degraded answer is not kept


def test_two_app_processes_on_one_database_invalidate_together(app, database_url, tmp_path,
                                                               item):
    """Each gunicorn worker has its own memory cache; the counter in the database is shared."""
    other = create_app({**{k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "MAIL_BACKEND", "RATELIMIT_ENABLED")},
        "INSTANCE_PATH": str(tmp_path), "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "MEDIA_DIR": str(tmp_path / "media")})
    first, second = app.test_client(), other.test_client()
    path = f"/api/v1/products/{item.slug}"
    assert first.get(path).get_json()["variants"][0]["price_vnd"] == 150_000
    assert second.get(path).get_json()["variants"][0]["price_vnd"] == 150_000
    with other.app_context():
        variant = db.session.get(type(item.variants[0]), item.variants[0].id)
        listings.update_variant(variant, actor_id=None, price_vnd=99_000)
        db.session.remove()
    assert first.get(path).get_json()["variants"][0]["price_vnd"] == 99_000
    assert second.get(path).get_json()["variants"][0]["price_vnd"] == 99_000
    with other.app_context():
        db.engine.dispose()


@needs_redis
def test_workers_share_one_cache_through_redis(app, tmp_path, item):
    """With REDIS_URL, a page one worker built is served to another from Redis."""
    prefix = f"test-{uuid.uuid4().hex}:"
    first, second = (create_app({**{k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "MAIL_BACKEND", "RATELIMIT_ENABLED")},
        "INSTANCE_PATH": str(tmp_path / name), "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "MEDIA_DIR": str(tmp_path / "media"), "REDIS_URL": "redis://127.0.0.1:6379/0",
        "PAGE_CACHE_PREFIX": prefix}) for name in ("a", "b"))
    path = f"/api/v1/products/{item.slug}"
    built = first.test_client().get(path)
    with second.app_context():
        with counting() as seen:
            served = second.test_client().get(path)
        assert served.get_data() == built.get_data()
        assert seen == ["generation (its own connection)"]
        second.extensions["shop_page_cache"].clear()
    for shop in (first, second):
        with shop.app_context():
            db.engine.dispose()


def uncached_app(app, tmp_path):
    """A second app on the same database with the page cache switched off."""
    return create_app({**{k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "MAIL_BACKEND", "RATELIMIT_ENABLED")},
        "INSTANCE_PATH": str(tmp_path), "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "MEDIA_DIR": str(tmp_path / "media"), "PAGE_CACHE": False})


def test_caching_can_be_switched_off(app, tmp_path, item):
    off = uncached_app(app, tmp_path)
    response = off.test_client().get(f"/p/{item.slug}")
    assert response.status_code == 200 and "ETag" not in response.headers
    with off.app_context():
        db.engine.dispose()


HTML_PAGES = ["/", "/products", "/p/{slug}"]


def test_a_guests_page_is_kept_whole_and_is_the_page_made_afresh(app, client, item, tmp_path):
    from flask import template_rendered

    off = uncached_app(app, tmp_path)
    fresh = off.test_client()
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    for template in HTML_PAGES:
        path = template.format(slug=item.slug)
        shown(client, path)  # made and kept
        with template_rendered.connected_to(record, app):
            kept = shown(client, path)
        assert rendered == [], (path, rendered)  # header, body and footer all came from the cache
        assert kept == shown(fresh, path), path
    with off.app_context():
        db.engine.dispose()


def test_a_signed_in_visitors_header_is_made_for_them(client, item, login):
    from flask import template_rendered

    shown(client, f"/p/{item.slug}")  # the guest's copy is kept
    login(builders.user("an@example.com"))
    rendered = []
    with template_rendered.connected_to(lambda s, template, context, **e: rendered.append(template.name),
                                        client.application):
        page = get(client, f"/p/{item.slug}").get_data(as_text=True)
    assert "storefront/page.html" in rendered
    assert "/logout" in page and "/login" not in page


def test_the_generation_is_read_on_a_connection_of_its_own_that_sees_every_commit(app, item):
    from shop.cache import counter

    before = counter.current()
    with counting() as statements:
        assert counter.current() == before
    assert statements == ["generation (its own connection)"]  # no query through the pool
    counter.bump(db.engine)
    assert counter.current() == before + 1
    with db.engine.begin() as connection:  # any writer, anywhere: the next read sees it
        connection.execute(db.text("UPDATE cache_generation SET value = value + 10 "
                                   "WHERE name = 'catalog'"))
    assert counter.current() == before + 11


def test_a_broken_generation_connection_is_replaced_and_the_read_still_answers(app, item):
    from shop.cache import counter

    value = counter.current()
    reader = counter._readers[db.engine]
    assert (len(reader.idle), reader.opened) == (1, 1)
    broken = reader.idle[0]
    broken.close()  # as a restarted database server leaves it
    assert counter.current() == value  # answered through the session
    assert (reader.idle, reader.opened) == ([], 0)
    assert counter.current() == value  # and on a new connection of its own again
    assert len(reader.idle) == 1 and reader.idle[0] is not broken


def test_many_threads_at_once_hold_no_more_generation_connections_than_the_limit(app, item):
    """A busy process with many threads: at most OWN_CONNECTIONS of its own; the other reads
    go through the session and answer the same."""
    import threading

    from shop.cache import counter

    expected = counter.current_all()
    reader = counter._readers[db.engine]
    threads_at_once = 30
    taken, answers = [], []
    start, all_asked = threading.Barrier(threads_at_once), threading.Barrier(threads_at_once)
    real_take = reader._take

    def take():  # every thread holds what it got until all have asked: none is given back early
        got = real_take()
        taken.append(got is not None)
        all_asked.wait()
        return got

    reader._take = take
    try:
        def read():
            with app.app_context():
                start.wait()
                answers.append(counter.current_all())
                db.session.remove()

        threads = [threading.Thread(target=read) for _ in range(threads_at_once)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        del reader._take
    assert answers == [expected] * threads_at_once  # the others read through the session
    assert sum(taken) == counter.OWN_CONNECTIONS and len(taken) == threads_at_once
    assert reader.opened == len(reader.idle) == counter.OWN_CONNECTIONS


def test_disposing_the_engine_closes_the_generation_connections(app, database_url, tmp_path):
    from shop.cache import counter

    other = uncached_app(app, tmp_path)
    with other.app_context():
        value = counter.current()
        reader = counter._readers[db.engine]
        assert (len(reader.idle), reader.opened) == (1, 1)
        opened = reader.idle[0]
        db.engine.dispose()
        assert (reader.idle, reader.opened) == ([], 0)
        with pytest.raises(Exception, match="closed"):
            opened.cursor().execute("SELECT 1")
        assert counter.current() == value  # opened again on demand
        db.engine.dispose()


def rebuilt(client, paths: list[str], before: dict[str, bytes] | None = None) -> set[str]:
    """The pages of `paths` made again (more than the generation read); a page served from the
    cache must be the page `before` holds for it."""
    made = set()
    for path in paths:
        with counting() as statements:
            again = shown(client, path)
        if len(statements) > 1:
            made.add(path)
        elif before is not None:
            assert again == before[path], path
    return made


def counts_listed(statement: str) -> bool:
    return "province.region_code, count(*)" in statement


def test_a_sale_keeps_the_home_page_and_the_listing_counts_but_not_the_stock_it_shows(client,
                                                                                       item):
    """Stock has its own generation: a sale rebuilds the pages that show stock, without
    counting the catalog again, and leaves the home page (no stock on it) in the cache."""
    for path in ("/", "/products"):
        shown(client, path)
    inventory.record_adjustment(_warehouse(item), item.variants[0], 5, "damage",
                                actor_id=None, note="ướt")
    with counting() as statements:
        home = get(client, "/")
    assert home.status_code == 200 and statements == ["generation (its own connection)"]
    with counting() as statements:
        listing = get(client, "/products").get_data(as_text=True)
    assert "Tạm hết hàng online" in listing
    assert len(statements) > 1 and not any(counts_listed(s) for s in statements)
    listings.update_listing(item, actor_id=None, name="Chè búp Tân Cương")
    with counting() as statements:
        assert "Chè búp Tân Cương" in get(client, "/").get_data(as_text=True)
    assert sum(counts_listed(s) for s in statements) == 1  # a catalog change counts them again


def test_the_listing_counts_are_the_products_listed_under_each_filter(app, today):
    from datetime import timedelta

    from shop.catalog import queries
    from shop.catalog.models import Product
    from shop.places.models import Province

    makers = [builders.producer(province_code=code) for code in ("19", "22", "91")]
    for n in range(18):
        builders.product(maker=makers[n % 3], stars=3 + n % 3,
                         group=("food", "beverages", "herbal")[n // 6])
    expired = builders.product(maker=makers[0], stars=5, decision_date=today - timedelta(days=1200),
                               today=today - timedelta(days=1100))
    suspended = builders.product(maker=makers[1], stars=4)
    registry.suspend_product(suspended, "kiểm tra", actor_id=None)
    listed = [p for p in db.session.scalars(db.select(Product))
              if p.status == "active" and p.certified_until and p.certified_until >= today]
    assert expired not in listed and suspended not in listed and len(listed) == 18
    region = {p.code: p.region_code for p in db.session.scalars(db.select(Province))}

    def counted(filters, facet=None):
        chosen = [p for p in listed
                  if (not filters.stars or p.stars in filters.stars)
                  and (filters.group is None or p.group == filters.group)
                  and (filters.region is None or region[p.province_code] == filters.region)
                  and (filters.province is None or p.province_code == filters.province)]
        if facet is None:
            return len(chosen)
        value = {"stars": lambda p: str(p.stars), "group": lambda p: p.group,
                 "region": lambda p: region[p.province_code],
                 "province": lambda p: p.province_code}[facet]
        counts = {}
        for p in chosen:
            counts[value(p)] = counts.get(value(p), 0) + 1
        return counts

    for filters in (queries.Filters(), queries.Filters(stars=(5,)),
                    queries.Filters(stars=(4, 5), group="beverages"),
                    queries.Filters(region=region["22"]), queries.Filters(province="91", stars=(3,)),
                    queries.Filters(group="herbal", region=region["19"], province="19")):
        page = queries.listing(filters, today)
        assert page.total == counted(filters) == len(list(db.session.scalars(
            queries._filtered(queries.listed(today), filters))))
        for facet in queries.FACETS:
            expected = counted(filters.without(facet), facet)
            assert {k: v for k, v in page.facets[facet].items() if v} == expected, (filters, facet)


def _second_product():
    other = builders.product("Mật ong bạc hà", sku="MAT-1", price_vnd=200_000, stars=4)
    builders.receive(other, builders.warehouse(other.producer), 3)
    return other


def test_a_sale_makes_only_its_products_pages_again_while_it_stays_in_stock(client, item):
    other = _second_product()
    paths = ["/", "/products", f"/p/{item.slug}", f"/p/{other.slug}",
             "/api/v1/products", f"/api/v1/products/{item.slug}", f"/api/v1/products/{other.slug}"]
    before = {path: shown(client, path) for path in paths}
    inventory.record_adjustment(_warehouse(item), item.variants[0], 2, "damage",
                                actor_id=None, note="vỡ")  # 5 -> 3: still in stock
    assert rebuilt(client, paths, before) == {f"/p/{item.slug}", f"/api/v1/products/{item.slug}"}
    assert get(client, f"/api/v1/products/{item.slug}").get_json()["variants"][0][
        "available_online"] == 3


def test_a_product_running_out_or_coming_back_makes_the_listings_again(client, item):
    other = _second_product()
    shown(client, "/products")
    inventory.record_adjustment(_warehouse(item), item.variants[0], 5, "damage",
                                actor_id=None, note="ướt")  # 5 -> 0
    listing = get(client, "/products").get_data(as_text=True)
    assert listing.count("Tạm hết hàng online") == 1
    assert [p["in_stock"] for p in get(client, "/api/v1/products").get_json()["items"]
            if p["slug"] == item.slug] == [False]
    builders.receive(item, _warehouse(item), 1)  # back in stock
    assert "Tạm hết hàng online" not in get(client, "/products").get_data(as_text=True)
    builders.receive(other, _warehouse(other), 1)  # still in stock: the listing is kept
    with counting() as statements:
        get(client, "/products")
    assert statements == ["generation (its own connection)"]


def test_a_stock_write_the_ledger_did_not_name_makes_every_page_with_stock_again(client, item):
    """A bulk write of stock_level (by hand, a migration) raises the `stock` generation."""
    from shop.inventory.models import StockLevel

    paths = ["/", "/products", f"/p/{item.slug}", f"/api/v1/products/{item.slug}"]
    for path in paths:
        shown(client, path)
    db.session.execute(db.update(StockLevel).values(on_hand=0))
    db.session.commit()
    assert rebuilt(client, paths) == set(paths) - {"/"}
    assert "Tạm hết hàng online" in get(client, "/products").get_data(as_text=True)


def test_sales_from_many_threads_leave_the_stock_flags_as_the_stock_stands(app, client, item):
    """Twenty threads take the last units of one product at once (each a transaction of its
    own, as on a busy host): the flag the listings are kept by ends as the stock ends."""
    import threading

    from shop.cache.models import ProductStock

    builders.receive(item, _warehouse(item), 15)  # 20 in all
    shown(client, "/products")
    variant_id, location_id = item.variants[0].id, _warehouse(item).id
    errors, start = [], threading.Barrier(20)

    def sell():
        try:
            with app.app_context():
                start.wait()
                location = db.session.get(Location, location_id)
                variant = db.session.get(type(item.variants[0]), variant_id)
                inventory.record_adjustment(location, variant, 1, "damage", actor_id=None,
                                            note="bán")
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=sell) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db.session.rollback()  # a new snapshot: after the threads' commits
    flags = db.session.get(ProductStock, item.id)
    assert (flags.in_stock, flags.version) == (False, 1 + 1 + 20)  # item fixture, receive, 20 sales
    assert "Tạm hết hàng online" in get(client, "/products").get_data(as_text=True)


def test_when_the_stock_versions_cannot_be_raised_every_page_with_stock_is_made_again(
        client, item, monkeypatch, caplog):
    from shop.cache import counter

    paths = ["/", "/products", f"/p/{item.slug}"]
    for path in paths:
        shown(client, path)
    before = counter.current_all()

    def broken(dialect):
        raise RuntimeError("the versions table is gone")

    monkeypatch.setattr(counter, "_restock_statements", broken)
    inventory.record_adjustment(_warehouse(item), item.variants[0], 1, "damage",
                                actor_id=None, note="vỡ")
    after = counter.current_all()
    assert after[counter.STOCK] == before.get(counter.STOCK, 0) + 1
    assert after[counter.CATALOG] == before[counter.CATALOG]
    assert "could not raise the stock versions of 1 variants" in caplog.text
    assert rebuilt(client, paths) == {"/products", f"/p/{item.slug}"}


def test_an_order_raises_only_the_stock_versions_of_what_it_holds(client, item):
    """Checkout writes orders, reservations and stock: no catalog table, so the catalog's
    pages and counts stay cached while orders come in."""
    from shop.cache import counter
    from shop.cache.models import ProductStock
    from tests.orders.web import add, place

    before = counter.current_all()
    assert add(client, "CHE-1", 1).status_code == 303
    response = place(client)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    after = counter.current_all()
    assert after[counter.CATALOG] == before[counter.CATALOG]
    assert after.get(counter.STOCK, 0) == before.get(counter.STOCK, 0)
    db.session.rollback()
    assert db.session.get(ProductStock, item.id).version == 2  # received, then reserved
