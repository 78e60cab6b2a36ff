"""bench/bare_app.py, the ceiling bench/load.py measures the shop against: exactly N bytes."""

from bench.bare_app import create_app


def test_the_bare_page_has_the_size_asked_for():
    for size in (1_000, 22_849):
        response = create_app(size).test_client().get("/")
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        assert len(response.get_data()) == size


def test_the_size_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("BARE_PAGE_BYTES", "4321")
    assert len(create_app().test_client().get("/").get_data()) == 4321
