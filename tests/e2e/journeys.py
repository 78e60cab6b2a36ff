"""A person's way through the shop in chromium: each page shown is screenshot and checked.

`Journey.step(name)` saves a full-page screenshot of what the page shows now and runs the
accessibility check of `tests/e2e/accessibility.py` on it. Every page of the shop the browser
lands on is recorded, so `finish()` can assert that none was left unchecked, that no page had
an accessibility problem and that no script failed.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from tests.e2e import accessibility

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class Journey:
    def __init__(self, page, base: str, folder: Path, who: str):
        self.page, self.base, self.folder, self.who = page, base, folder, who
        self.visited: list[str] = []
        self.checked: set[str] = set()
        self.problems: dict[str, list[str]] = {}
        self.script_errors: list[str] = []
        self.shots = 0
        page.on("framenavigated", self._navigated)
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))

    def _key(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame and frame.url.startswith(self.base):
            key = self._key(frame.url)
            if key not in self.visited:
                self.visited.append(key)

    def goto(self, path: str, name: str):
        """Open a page of the shop (it must answer 200), then take the step."""
        response = self.page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        self.step(name)
        return response

    def step(self, name: str) -> Path:
        """Screenshot the page as shown, then check its accessibility; returns the picture."""
        self.page.wait_for_load_state("load")
        self.shots += 1
        picture = self.folder / f"{self.who}-{self.shots:02d}-{name}.jpg"
        self.page.screenshot(path=picture, full_page=True, type="jpeg", quality=70)
        assert picture.stat().st_size > 0, f"empty screenshot {picture}"
        key = self._key(self.page.url)
        found = accessibility.problems(self.page)
        if found:
            self.problems.setdefault(key, []).extend(found)
        self.checked.add(key)
        return picture

    def finish(self) -> None:
        unchecked = [key for key in self.visited if key not in self.checked]
        assert unchecked == [], f"{self.who}: pages shown but not checked: {unchecked}"
        assert self.problems == {}, f"{self.who}: accessibility problems: {self.problems}"
        assert self.script_errors == [], f"{self.who}: script errors: {self.script_errors}"


class Journeys:
    """The people of one test, each with a browser context of their own."""

    def __init__(self, new_page, base: str, folder: Path):
        self._new_page, self.base, self.folder = new_page, base, folder
        self.people: list[Journey] = []

    def open(self, who: str, viewport=PHONE) -> Journey:
        self.people.append(Journey(self._new_page(viewport), self.base, self.folder, who))
        return self.people[-1]

    def finish(self) -> None:
        for person in self.people:
            person.finish()
        assert self.people, "no journey was taken"

    def close(self) -> None:
        for person in self.people:
            person.page.context.close()
