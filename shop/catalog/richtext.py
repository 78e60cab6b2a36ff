"""Rich text written by producers, cleaned so that nothing in it can run in a browser."""

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h3", "h4",
                "blockquote", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def sanitise(html: str) -> str:
    """Keep simple formatting and links; drop scripts, styles, event handlers and the rest."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    ).strip()
