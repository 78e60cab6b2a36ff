"""PDF documents from HTML templates (invoices, statements, packing slips): the only module
that imports WeasyPrint. Documents load only the shop's own files (fonts from static/fonts,
images as data: URIs), never the network."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from weasyprint import HTML, default_url_fetcher


class RemoteResource(ValueError):
    """A document tried to load something from outside the shop's static folder."""


def render(template_name: str, **context) -> bytes:
    """The template rendered with `context`, as PDF bytes. Needs an app context."""
    html = render_template(template_name, **context)
    static = Path(current_app.static_folder).resolve()
    return HTML(string=html, base_url=f"{static.as_uri()}/",
                url_fetcher=_local_fetcher(static)).write_pdf()


def _local_fetcher(static: Path):
    def fetch(url: str, *args, **kwargs):
        if url.startswith("data:") or (url.startswith("file:") and _inside(url, static)):
            return default_url_fetcher(url, *args, **kwargs)
        raise RemoteResource(f"documents load only the shop's static files, not {url}")
    return fetch


def _inside(file_url: str, folder: Path) -> bool:
    return Path(unquote(urlsplit(file_url).path)).resolve().is_relative_to(folder)
