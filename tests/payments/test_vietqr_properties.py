"""Properties of the VietQR payload for any account, amount and purpose: a valid CRC, fields
whose lengths are what they announce, parsed back exactly; Vietnamese purposes folded the way
banks keep them (DOMAIN.md: A-Z, digits, space and dash)."""

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shop.payments.vietqr import (
    MAX_AMOUNT_VND,
    MAX_PURPOSE,
    BankAccount,
    clean_purpose,
    crc16_ccitt_false,
    parse,
    payload,
)
from shop.text import fold
from tests.payments.test_vietqr import bitwise_crc

PROPERTIES = settings(max_examples=300, deadline=None, derandomize=True, database=None)
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
CLEAN = re.compile(r"[A-Z0-9-]([A-Z0-9 -]*[A-Z0-9-])?")

accounts = st.builds(BankAccount, st.from_regex(r"\A[0-9]{6}\Z"),
                     st.from_regex(r"\A[A-Z0-9]{6,19}\Z"), st.just("HTX"))
amounts = st.integers(1, MAX_AMOUNT_VND)
vietnamese_purposes = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + "0123456789 -#:.,", max_size=60)
any_purposes = st.text(max_size=60)


def top_fields(text: str) -> list[tuple[str, str]]:
    """The top-level ID-length-value fields, read independently of the module."""
    fields, position = [], 0
    while position < len(text):
        tag, length = text[position:position + 2], int(text[position + 2:position + 4])
        fields.append((tag, text[position + 4:position + 4 + length]))
        assert len(fields[-1][1]) == length
        position += 4 + length
    return fields


@PROPERTIES
@given(accounts, amounts, st.one_of(vietnamese_purposes, any_purposes))
def test_every_payload_is_well_formed_and_parses_back(account, amount, purpose):
    try:
        cleaned = clean_purpose(purpose)
    except ValueError:
        with pytest.raises(ValueError, match="no letter or digit left"):
            payload(account, amount, purpose)
        return
    text = payload(account, amount, purpose)
    assert text.isascii()  # lengths count characters and the CRC counts bytes: they must agree
    signed = text[:-4].encode()
    assert text[-4:] == f"{bitwise_crc(signed):04X}" == f"{crc16_ccitt_false(signed):04X}"
    fields = top_fields(text)
    assert [tag for tag, _ in fields] == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert dict(fields)["54"] == str(amount) and dict(fields)["62"] == f"08{len(cleaned):02d}{cleaned}"
    assert parse(text) == {"bin": account.bin, "account_number": account.account_number,
                           "amount_vnd": amount, "purpose": cleaned, "currency": "704", "country": "VN"}


@PROPERTIES
@given(any_purposes)
def test_a_cleaned_purpose_is_what_banks_keep(purpose):
    try:
        cleaned = clean_purpose(purpose)
    except ValueError:
        assert not re.search(r"[a-z0-9]", fold(purpose))
        return
    assert CLEAN.fullmatch(cleaned) and len(cleaned) <= MAX_PURPOSE and "  " not in cleaned
    assert clean_purpose(cleaned) == cleaned


@PROPERTIES
@given(vietnamese_purposes)
def test_vietnamese_purposes_fold_alike_in_any_unicode_form(purpose):
    forms = {unicodedata.normalize(form, purpose) for form in ("NFC", "NFD", "NFKC", "NFKD")}
    results = set()
    for form in forms:
        try:
            results.add(clean_purpose(form))
        except ValueError:
            results.add(None)
    assert len(results) == 1
    cleaned = results.pop()
    if cleaned is not None:
        kept = re.sub(r"[^A-Z0-9 -]", "", " ".join(fold(purpose).upper().split()))
        assert cleaned == " ".join(kept.split())[:MAX_PURPOSE].rstrip()
    assert clean_purpose("đ" + purpose).startswith("D") and clean_purpose("Đ" + purpose).startswith("D")


@PROPERTIES
@given(st.text(alphabet="0123456789ABCDEF", max_size=120))
def test_parsing_anything_fails_only_with_a_clear_value_error(body):
    for text in (body, body + "6304", body + "6304" + f"{bitwise_crc((body + '6304').encode()):04X}"):
        try:
            decoded = parse(text)
        except ValueError as error:
            assert str(error)
        else:
            assert set(decoded) == {"bin", "account_number", "amount_vnd", "purpose", "currency", "country"}
