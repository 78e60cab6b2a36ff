"""Money is an integer number of đồng: the đồng has no minor unit and no float touches it."""

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
    if not (cleaned.isascii() and cleaned.isdigit()):  # "²" and "١" are digits to isdigit()
        raise ValueError(f"not a whole number of đồng: {text!r}")
    return int(cleaned)


# The largest amount the shop takes anywhere: a price, a payment, a transfer, cash collected,
# an order's total (ten billion đồng, far beyond any OCOP sale). Every amount that enters is
# held to it, so that sums of them stay far inside a 64-bit column and an order's total inside
# the 13 digits of a VietQR amount (shop.payments.vietqr.MAX_AMOUNT_VND).
MAX_AMOUNT_VND = 10_000_000_000


def is_amount(value, minimum: int = 0) -> bool:
    """Whether `value` is an int of đồng from `minimum` to MAX_AMOUNT_VND (not a bool, not a float)."""
    return (isinstance(value, int) and not isinstance(value, bool)
            and minimum <= value <= MAX_AMOUNT_VND)


def amount_rule(minimum: int = 0) -> str:
    """What `is_amount(value, minimum)` asks, as a service names it beside the field."""
    return f"a whole number of đồng from {minimum} to {MAX_AMOUNT_VND}"


def read_amount(text: str) -> int | None:
    """An amount typed in a form: None when left empty; ValueError when it is not a whole
    number of đồng from 0 to ten billion."""
    if not (text or "").strip():
        return None
    amount = parse_vnd(text)
    if amount > MAX_AMOUNT_VND:
        raise ValueError(f"more than {MAX_AMOUNT_VND} đồng: {text!r}")
    return amount


# VAT of VAT-inclusive prices. The rounding rule, stated once: a line's amount before tax is
# amount × 100 / (100 + rate) rounded half away from zero to the đồng, and its VAT is the rest;
# per-rate totals are sums of lines. Lines and totals therefore always add up exactly.
NO_VAT = ("not_subject", "exempt")  # không chịu thuế; "exempt" on invoices issued before 2026-12


def vat_percent(rate: str) -> int:
    """The percentage of a rate ("8" -> 8); 0 where no VAT applies."""
    return 0 if rate in NO_VAT else int(rate)


def divide_rounded(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers only."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def split_vat(amount_vnd: int, rate: str) -> tuple[int, int]:
    """(amount before tax, VAT) of a VAT-inclusive amount; the two add up to the amount."""
    percent = vat_percent(rate)
    before = divide_rounded(amount_vnd * 100, 100 + percent)
    return before, amount_vnd - before


def basis_points_of(amount_vnd: int, basis_points: int) -> int:
    """amount × basis points / 10,000 rounded half away from zero (100 bp = 1%)."""
    return divide_rounded(amount_vnd * basis_points, 10_000)


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu", "tỷ")


def _three_digits(number: int, leading: bool) -> list[str]:
    """Words of 0-999 inside a larger number: 'không trăm linh năm' unless it leads."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words = [] if leading and hundreds == 0 else [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5 and tens > 0:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def _number_words(number: int) -> list[str]:
    if number == 0:
        return ["không"]
    billions, rest = divmod(number, 1_000_000_000)
    words = _number_words(billions) + ["tỷ"] if billions else []
    groups = [rest // 1_000_000 % 1000, rest // 1000 % 1000, rest % 1000]
    for index, group in enumerate(groups):
        if group:
            words += _three_digits(group, leading=not words) + [_SCALES[2 - index]]
    return [word for word in words if word]


def in_words(amount_vnd: int) -> str:
    """120000 -> 'Một trăm hai mươi nghìn đồng', as invoices write the total in Vietnamese."""
    words = (["âm"] if amount_vnd < 0 else []) + _number_words(abs(amount_vnd)) + ["đồng"]
    text = " ".join(words)
    return text[0].upper() + text[1:]
