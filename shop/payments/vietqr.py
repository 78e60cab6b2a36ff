"""VietQR: the EMVCo merchant-presented QR payload that Vietnamese banking apps read for a transfer.

A payload is a flat run of fields, each ID (2 digits) + length (2 decimal digits, the number of
characters of the value, at most 99) + value. Some values are templates: runs of fields again.
The fields, in the order written here:

    00  payload format indicator   "01"
    01  point of initiation        "12" (dynamic: the amount is set)
    38  merchant account (NAPAS)   template: 00 GUID "A000000727",
                                             01 beneficiary (template: 00 bank BIN, 01 account number),
                                             02 service code "QRIBFTTA" (transfer to an account)
    53  currency                   "704" (VND)
    54  amount                     whole đồng, digits only
    58  country                    "VN"
    62  additional data            template: 08 purpose of the transaction (the order number)
    63  CRC                        4 upper-case hex digits of CRC-16/CCITT-FALSE over the whole
                                   payload up to and including the "6304" that precedes them

Example: ``payload(BankAccount("970436", "0011001234567", "HTX CHE HAO DAT"), 250000, "OC2611-000123")``
gives ``000201010212385700...62170813OC2611-0001236304`` followed by the CRC.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import segno

from shop.text import fold

NAPAS_GUID = "A000000727"
SERVICE_TRANSFER_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
MAX_AMOUNT_VND = 9_999_999_999_999  # 13 digits, the longest amount field banks accept
MAX_PURPOSE = 25  # banks cut longer purposes; an order number has at most 20 characters
MAX_VALUE = 99

_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT_NUMBER = re.compile(r"[A-Z0-9]{6,19}")
_DIGITS = re.compile(r"[0-9]+")
_FIELD_HEAD = re.compile(r"[0-9]{4}")
_CRC_FIELD = re.compile(r"6304[0-9A-Fa-f]{4}")
_NOT_PURPOSE = re.compile(r"[^a-z0-9 -]")
_WHITESPACE = re.compile(r"\s+")


# --- CRC-16/CCITT-FALSE -------------------------------------------------------------------------


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
        table.append(crc & 0xFFFF)
    return tuple(table)


_TABLE = _crc_table()


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0 (b"123456789" -> 0x29B1)."""
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[(crc >> 8) ^ byte]
    return crc


def _crc_hex(text: str) -> str:
    return f"{crc16_ccitt_false(text.encode('utf-8')):04X}"


# --- The beneficiary ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BankAccount:
    """Where transfers go: the bank's BIN (NAPAS bank id), the account number, the holder's name.

    The name is not part of the payload; it is shown next to the code so the buyer can check it.
    """

    bin: str
    account_number: str
    account_name: str

    def __post_init__(self) -> None:
        if not isinstance(self.bin, str) or not _BIN.fullmatch(self.bin):
            raise ValueError(f"a bank BIN is 6 digits (e.g. 970436 for Vietcombank), not {self.bin!r}")
        if not isinstance(self.account_number, str) or not _ACCOUNT_NUMBER.fullmatch(self.account_number):
            raise ValueError("an account number is 6 to 19 digits or upper-case letters A-Z, "
                             f"not {self.account_number!r}")
        if not isinstance(self.account_name, str) or not self.account_name.strip():
            raise ValueError("the account holder's name must not be empty")


# --- Writing a payload --------------------------------------------------------------------------


def _field(tag: str, value: str) -> str:
    if not value or len(value) > MAX_VALUE:
        raise ValueError(f"field {tag}: a value has 1 to {MAX_VALUE} characters, not {len(value)}")
    return f"{tag}{len(value):02d}{value}"


def _check_amount(amount_vnd: int) -> None:
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int):
        raise TypeError(f"the amount is a whole number of đồng (int), not {type(amount_vnd).__name__}")
    if not 1 <= amount_vnd <= MAX_AMOUNT_VND:
        raise ValueError(f"the amount must be from 1 to {MAX_AMOUNT_VND:_} đồng, not {amount_vnd}")


def clean_purpose(purpose: str) -> str:
    """'Đơn hàng OC-1' -> 'DON HANG OC-1': diacritics folded, only A-Z 0-9 space '-', 25 at most.

    Runs of white space become one space; other characters are dropped. Refuses a purpose that
    leaves nothing.
    """
    if not isinstance(purpose, str):
        raise TypeError(f"the purpose is a string, not {type(purpose).__name__}")
    text = _NOT_PURPOSE.sub("", _WHITESPACE.sub(" ", fold(purpose)))
    text = " ".join(text.split()).upper()[:MAX_PURPOSE].rstrip()
    if not text:
        raise ValueError(f"the purpose {purpose!r} has no letter or digit left to send")
    return text


def _merchant_account(account: BankAccount) -> str:
    beneficiary = _field("00", account.bin) + _field("01", account.account_number)
    return _field("00", NAPAS_GUID) + _field("01", beneficiary) + _field("02", SERVICE_TRANSFER_TO_ACCOUNT)


def payload(account: BankAccount, amount_vnd: int, purpose: str) -> str:
    """The VietQR payload for a transfer of `amount_vnd` đồng to `account`, `purpose` attached."""
    if not isinstance(account, BankAccount):
        raise TypeError(f"the account is a BankAccount, not {type(account).__name__}")
    _check_amount(amount_vnd)
    body = "".join((
        _field("00", "01"),
        _field("01", "12"),
        _field("38", _merchant_account(account)),
        _field("53", CURRENCY_VND),
        _field("54", str(amount_vnd)),
        _field("58", COUNTRY_VN),
        _field("62", _field("08", clean_purpose(purpose))),
    )) + "6304"
    return body + _crc_hex(body)


# --- Reading a payload --------------------------------------------------------------------------


def _fields(text: str, where: str = "payload") -> dict[str, str]:
    """ID-length-value fields of `text`, by ID; malformed or repeated fields raise ValueError."""
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        head = text[position:position + 4]
        if not _FIELD_HEAD.fullmatch(head):
            raise ValueError(f"malformed {where}: no field ID and length at character {position}")
        tag, length = head[:2], int(head[2:])
        value = text[position + 4:position + 4 + length]
        if length == 0 or len(value) != length:
            raise ValueError(f"malformed {where}: field {tag} announces {length} characters, "
                             f"has {len(value)}")
        if tag in fields:
            raise ValueError(f"malformed {where}: field {tag} appears twice")
        fields[tag] = value
        position += 4 + length
    return fields


def _check_crc(text: str) -> None:
    if not _CRC_FIELD.fullmatch(text[-8:]):
        raise ValueError("malformed payload: it does not end with the CRC field 6304XXXX")
    expected = _crc_hex(text[:-4])
    if text[-4:].upper() != expected:
        raise ValueError(f"bad CRC: the payload says {text[-4:]}, its content gives {expected}")


def _required(fields: dict[str, str], tag: str, where: str) -> str:
    if tag not in fields:
        raise ValueError(f"malformed {where}: field {tag} is missing")
    return fields[tag]


def _amount(fields: dict[str, str]) -> int | None:
    if "54" not in fields:
        return None  # a static code: the payer types the amount
    if not _DIGITS.fullmatch(fields["54"]):
        raise ValueError(f"the amount {fields['54']!r} is not a whole number of đồng")
    return int(fields["54"])


def parse(payload: str) -> dict:
    """Decode a VietQR payload: {"bin", "account_number", "amount_vnd", "purpose", "currency", "country"}.

    Raises ValueError on a bad CRC, malformed fields or a payload that is not a NAPAS transfer.
    `amount_vnd` and `purpose` are None when the payload has none (a static code).
    """
    if not isinstance(payload, str):
        raise TypeError(f"a payload is a string, not {type(payload).__name__}")
    _check_crc(payload)
    top = _fields(payload)
    if next(iter(top)) != "00" or top["00"] != "01":
        raise ValueError("malformed payload: it must start with the format indicator 000201")
    account = _fields(_required(top, "38", "payload"), "merchant account (38)")
    if _required(account, "00", "merchant account (38)") != NAPAS_GUID:
        raise ValueError(f"not a NAPAS VietQR: merchant account GUID {account['00']!r}")
    beneficiary = _fields(_required(account, "01", "merchant account (38)"), "beneficiary (38.01)")
    extra = _fields(top["62"], "additional data (62)") if "62" in top else {}
    return {
        "bin": _required(beneficiary, "00", "beneficiary (38.01)"),
        "account_number": _required(beneficiary, "01", "beneficiary (38.01)"),
        "amount_vnd": _amount(top),
        "purpose": extra.get("08"),
        "currency": _required(top, "53", "payload"),
        "country": _required(top, "58", "payload"),
    }


# --- The picture --------------------------------------------------------------------------------


def svg(payload: str, scale: int = 5) -> str:
    """The QR code of `payload` as an <svg> document with its namespace (no XML declaration),
    so that it works inline in a page and as an image of its own; error level M."""
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ValueError(f"the scale is a whole number of pixels per module, at least 1, not {scale!r}")
    code = segno.make(payload, error="m", micro=False)  # banking apps do not read Micro QR
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", xmldecl=False, svgns=True, scale=scale, dark="#1d1d1b",
              nl=False)
    return buffer.getvalue().decode("utf-8")
