"""An accessibility check of the page a browser shows: names, images, contrast, keyboard.

`problems(page)` runs `accessibility.js` in the page (labels, alt, contrast, one h1, lang, no
positive tabindex), then uses the real keyboard: the first Tab must land on the skip link with a
visible focus, Enter on it must lead into <main>, the next Tabs must stop at the controls of
<main> in their order, and every control there must show its focus. It returns one line per
problem; an empty list means the page passed. axe-core is not used: the shop's tests run offline
and the rules the shop promises fit in one small script.
"""

from __future__ import annotations

from pathlib import Path

SCRIPT = Path(__file__).with_name("accessibility.js").read_text(encoding="utf-8")
TAB_STEPS = 3  # real Tabs taken inside <main>; the focus styles of the rest are read by script


def _line(problem: dict) -> str:
    return f"{problem['rule']}: {problem['element']}: {problem['detail']}"


def keyboard_problems(page) -> list[dict]:
    """What a keyboard user meets: skip link, Tab order into <main>, visible focus. Expects
    `__a11y.startAtTheTop()` to have run."""
    found = []
    page.keyboard.press("Tab")
    first = page.evaluate("__a11y.position()")
    if not first["skipLink"]:
        return [{"rule": "keyboard", "element": first["element"],
                 "detail": "the first Tab does not reach the skip link"}]
    if not first["visible"]:
        found.append({"rule": "focus", "element": first["element"], "detail": "focus is not visible"})
    page.keyboard.press("Enter")
    expected = page.evaluate("__a11y.markTabbables()")
    for step in range(min(expected, TAB_STEPS)):
        page.keyboard.press("Tab")
        at = page.evaluate("__a11y.position()")
        if at["index"] != step:
            found.append({"rule": "keyboard", "element": at["element"],
                          "detail": f"Tab {step + 1} after the skip link stops here, not at the "
                                    f"control {step + 1} of <main>"})
            break
    return found + page.evaluate("__a11y.focusStyles()")


def problems(page) -> list[str]:
    """Every accessibility problem of the page as shown now; leaves the focus inside <main>."""
    found = page.evaluate(SCRIPT + "\n__a11y.startAtTheTop(); __a11y.audit()")
    found += keyboard_problems(page)
    return [_line(problem) for problem in found]
