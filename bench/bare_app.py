"""The ceiling for any Flask page: a bare Flask app serving BARE_PAGE_BYTES of static HTML.

bench/load.py runs it under the shop's gunicorn settings with the size of the shop's listing
page: `BARE_PAGE_BYTES=40000 gunicorn --config gunicorn.conf.py bench.bare_app:app`.
"""

import os

from flask import Flask, Response


def create_app(size: int | None = None) -> Flask:
    size = int(os.environ.get("BARE_PAGE_BYTES", "30000")) if size is None else size
    head, tail = b"<!doctype html><html><body><p>", b"</p></body></html>\n"
    page = head + b"x" * max(0, size - len(head) - len(tail)) + tail
    app = Flask(__name__)

    @app.get("/")
    def page_view():
        return Response(page, mimetype="text/html")

    return app


app = create_app()
