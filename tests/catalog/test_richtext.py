from shop.catalog.richtext import sanitise


def test_scripts_handlers_and_styles_are_removed():
    dirty = ('<p onclick="steal()">Chè <strong>ngon</strong><script>alert(1)</script></p>'
             '<img src=x onerror=alert(1)><style>p{}</style><iframe src="//evil"></iframe>')
    assert sanitise(dirty) == "<p>Chè <strong>ngon</strong></p>"


def test_javascript_links_lose_their_target_and_links_get_rel():
    assert sanitise('<a href="javascript:alert(1)">x</a>') == '<a rel="nofollow noopener noreferrer">x</a>'
    assert sanitise('<a href="https://ocop.vn" target="_blank">ocop</a>') == (
        '<a href="https://ocop.vn" rel="nofollow noopener noreferrer">ocop</a>')


def test_simple_formatting_is_kept():
    html = "<p>Một</p><ul><li><em>hai</em></li></ul><h3>Ba</h3><blockquote>bốn</blockquote>"
    assert sanitise(html) == html


def test_empty_and_none():
    assert sanitise("") == "" and sanitise(None) == ""
