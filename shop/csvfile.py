"""The CSV files of the shop: reading the imports (UTF-8 with or without BOM, a header, any
column order) and writing every export, whose text cells never run as a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from shop.errors import ImportRefused

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")  # ASCII digits only: "²" and "١" are digits to str.isdigit
TRUE_WORDS = {"true", "1", "yes", "y", "có", "x"}
FALSE_WORDS = {"false", "0", "no", "n", "không", ""}


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]
    problem: str | None = None

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")


def read_rows(data: bytes | str, required: tuple[str, ...]) -> list[Row]:
    """Rows keyed by lower-cased header, each with its first line number in the file.

    A row with the wrong number of cells carries a `problem` for the importer to report with
    the rest; a file without the required columns is refused at once.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRefused([(1, f"the file is not UTF-8 text ({error.reason})")]) from None
    data = data.removeprefix("\ufeff")
    if "\x00" in data:
        line = data.count("\n", 0, data.index("\x00")) + 1
        raise ImportRefused([(line, "the file contains a NUL character: it is not a CSV text file")])
    reader = csv.reader(io.StringIO(data, newline=""))
    try:
        return _rows(reader, required)
    except csv.Error as error:  # a cell past the csv module's field limit, and the like
        raise ImportRefused([(reader.line_num, f"unreadable CSV ({error})")]) from None


def _rows(reader, required: tuple[str, ...]) -> list[Row]:
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportRefused([(1, "missing column(s): " + ", ".join(missing))])
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise ImportRefused([(1, "repeated column(s): " + ", ".join(duplicated))])
    rows, line = [], reader.line_num + 1
    for cells in reader:
        if len(cells) != len(header) and any(cell.strip() for cell in cells):
            rows.append(Row(line, {}, f"expected {len(header)} cells, found {len(cells)}"))
        elif any(cell.strip() for cell in cells):
            rows.append(Row(line, {h: unguarded(c.strip()) for h, c in zip(header, cells, strict=True)}))
        line = reader.line_num + 1
    if not rows:
        raise ImportRefused([(1, "the file has no data rows")])
    return rows


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): an
# export writes such a text cell after an apostrophe, which spreadsheets show as text and hide.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guarded(value):
    """A cell as an export writes it: text that a spreadsheet would run gets a leading "'"."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unguarded(text: str) -> str:
    """A cell as an import reads it: the apostrophe an export put before a formula character
    is taken off, so an exported file comes back unchanged."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def to_csv(header, rows, *, lineterminator: str = "\r\n") -> str:
    """Every export's CSV text: the header, then each row with its text cells guarded."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([guarded(cell) for cell in header])
    writer.writerows([guarded(cell) for cell in row] for row in rows)
    return out.getvalue()


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"expected true or false, found {text!r}")


def parse_int(text: str, minimum: int | None = None, maximum: int | None = None) -> int:
    cleaned = text.strip()
    if not _WHOLE_NUMBER.fullmatch(cleaned):
        raise ValueError(f"expected a whole number, found {text!r}")
    value = int(cleaned)
    if minimum is not None and value < minimum:
        raise ValueError(f"must be at least {minimum}, found {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"must be at most {maximum}, found {value}")
    return value


@dataclass
class ImportReport:
    """What an import wrote: per kind of object, how many were created, updated, unchanged."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def count(self, kind: str, outcome: str) -> None:
        self.counts[kind][outcome] += 1

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [f"{kind}: {c['created']} created, {c['updated']} updated, "
                f"{c['unchanged']} unchanged" for kind, c in self.counts.items()]
