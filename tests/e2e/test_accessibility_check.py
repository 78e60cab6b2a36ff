"""The accessibility check itself: a page with one defect of each kind fails with exactly those
problems, and the same page without them passes."""

from __future__ import annotations

import pytest

from tests.e2e import accessibility

pytestmark = pytest.mark.browser

GOOD = """<!doctype html><html lang="vi"><head><style>
  body { background: #fff; color: #1d1d1b; }
  :focus-visible { outline: 3px solid #7a5b00; }
  .skip-link { position: absolute; left: -999px; } .skip-link:focus { left: 8px; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .dark { background: #b00d26; color: #fff; } .faint { color: #767676; }
</style></head><body>
  <a class="skip-link" href="#main">Bỏ qua</a>
  <header><a href="#top">Trang chủ</a></header>
  <main id="main">
    <h1>Chè</h1>
    <form>
      <label for="q">Tìm</label><input id="q" name="q">
      <input name="email" aria-label="Email">
      <span id="qty-name">Số lượng</span><input name="qty" aria-labelledby="qty-name">
      <label>Ghi chú <textarea name="note"></textarea></label>
      <input type="radio" name="stars" value="5" aria-label="5 sao">
      <input type="radio" name="stars" value="4" aria-label="4 sao">
      <label class="sr-only" for="s">Sắp xếp</label><select id="s"><option>Giá</option></select>
      <button type="submit">Tìm</button>
    </form>
    <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">
    <p class="dark">Năm sao</p><p class="faint">4.54:1 is enough</p>
  </main></body></html>"""

BAD = {
    "lang": ('<html lang="vi">', "<html>"),
    "h1": ("<h1>Chè</h1>", "<h1>Chè</h1><h1>Trà</h1>"),
    "label": ('<input name="email" aria-label="Email">', '<input name="email">'),
    "alt": ('alt="">', ">"),
    "contrast": (".faint { color: #767676; }", ".faint { color: #777777; }"),
    "tabindex": ('<header><a href="#top">', '<header><a tabindex="2" href="#top">'),
    "focus": (":focus-visible { outline: 3px solid #7a5b00; }",
              ":focus-visible { outline: none; } a:focus-visible { outline: 3px solid #7a5b00; }"),
    "keyboard": ('<a class="skip-link" href="#main">Bỏ qua</a>', ""),
}
ALSO_KEYBOARD = {  # the skip link leads nowhere: the next Tab stops in the header, not in <main>
    "keyboard-order": ('<a class="skip-link" href="#main">', '<a class="skip-link" href="#nowhere">'),
}


def check(page, html: str) -> list[str]:
    page.set_content(html)
    return accessibility.problems(page)


def test_a_page_without_defects_passes(browser_page):
    assert check(browser_page, GOOD) == []


def test_each_defect_is_found_and_only_it(browser_page):
    cases = {**BAD, **ALSO_KEYBOARD}
    found = {}
    for case, (good, bad) in cases.items():
        assert good in GOOD, case
        found[case] = sorted({line.split(":")[0] for line in check(browser_page, GOOD.replace(good, bad))})
    assert found == {case: [case.split("-")[0]] for case in cases}
