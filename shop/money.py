"""Money is an integer number of đồng: the đồng has no minor unit and no float touches it."""

VAT_RATES = ("exempt", "0", "5", "8", "10")


def format_vnd(amount: int, locale: str = "vi") -> str:
    """250000 -> '250.000 ₫' in Vietnamese, '₫250,000' in English."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"money must be an int of đồng, not {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    grouped = f"{abs(amount):,}"
    if str(locale).startswith("en"):
        return f"{sign}₫{grouped}"
    return f"{sign}{grouped.replace(',', '.')} ₫"


def parse_vnd(text: str) -> int:
    """Read a whole number of đồng from user input ('250000', '250.000', '250,000 ₫')."""
    cleaned = str(text).strip().replace("₫", "").replace("đ", "").strip()
    cleaned = cleaned.replace(".", "").replace(",", "").replace(" ", "")
    if not cleaned.isdigit():
        raise ValueError(f"not a whole number of đồng: {text!r}")
    return int(cleaned)


MAX_AMOUNT_VND = 10_000_000_000


def read_amount(text: str) -> int | None:
    """An amount typed in a form: None when left empty; ValueError when it is not a whole
    number of đồng from 0 to ten billion."""
    if not (text or "").strip():
        return None
    amount = parse_vnd(text)
    if amount > MAX_AMOUNT_VND:
        raise ValueError(f"more than {MAX_AMOUNT_VND} đồng: {text!r}")
    return amount
