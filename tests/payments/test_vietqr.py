"""VietQR payloads: the exact bytes of a known code, the CRC, parsing back, refused inputs, the SVG."""

import binascii
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.payments import vietqr
from shop.payments.vietqr import BankAccount, crc16_ccitt_false, parse, payload

ACCOUNT = BankAccount("970436", "0011001234567", "HTX CHE HAO DAT")


def bitwise_crc(data: bytes) -> int:
    """CRC-16/CCITT-FALSE the slow, obvious way, bit by bit: a second opinion on the module's."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def crc_verifies(text: str) -> bool:
    return text[-8:-4] == "6304" and text[-4:] == f"{bitwise_crc(text[:-4].encode()):04X}"


# --- CRC ----------------------------------------------------------------------------------------


def test_crc_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert bitwise_crc(b"123456789") == 0x29B1
    assert crc16_ccitt_false(b"") == 0xFFFF


@given(st.binary(max_size=300))
def test_crc_agrees_with_bitwise_and_the_standard_library(data):
    assert crc16_ccitt_false(data) == bitwise_crc(data) == binascii.crc_hqx(data, 0xFFFF)


# --- A known payload, written by hand -----------------------------------------------------------


def test_known_payload_exactly():
    body = (
        "000201"                      # 00 format indicator "01"
        "010212"                      # 01 point of initiation "12": dynamic
        "3857"                        # 38 merchant account, 57 characters:
        "0010A000000727"              #    00 NAPAS GUID (10)
        "0127"                        #    01 beneficiary, 27 characters:
        "0006970436"                  #       00 BIN (6)
        "01130011001234567"           #       01 account number (13)
        "0208QRIBFTTA"                #    02 service: transfer to an account (8)
        "5303704"                     # 53 currency VND
        "5406250000"                  # 54 amount, 6 digits
        "5802VN"                      # 58 country
        "6217"                        # 62 additional data, 17 characters:
        "0813OC2611-000123"           #    08 purpose (13)
        "6304"                        # 63 CRC, 4 characters, the value follows
    )
    assert f"{bitwise_crc(body.encode()):04X}" == "13BF"
    expected = ("00020101021238570010A00000072701270006970436011300110012345670208QRIBFTTA"
                "530370454062500005802VN62170813OC2611-000123630413BF")
    assert body + "13BF" == expected

    assert payload(ACCOUNT, 250000, "OC2611-000123") == expected


# --- Parsing back -------------------------------------------------------------------------------


def test_parse_round_trips():
    text = payload(ACCOUNT, 250000, "OC2611-000123")
    assert parse(text) == {
        "bin": "970436", "account_number": "0011001234567", "amount_vnd": 250000,
        "purpose": "OC2611-000123", "currency": "704", "country": "VN",
    }


def test_one_changed_character_fails_the_crc():
    text = payload(ACCOUNT, 250000, "OC2611-000123")
    tampered = text.replace("5406250000", "5406950000")
    assert tampered != text
    with pytest.raises(ValueError, match="bad CRC"):
        parse(tampered)
    with pytest.raises(ValueError, match="bad CRC"):
        parse(text[:-1] + ("0" if text[-1] != "0" else "1"))


@pytest.mark.parametrize("broken", [
    "",
    "000201",
    "00020101021238",                    # cut short, no CRC field
])
def test_parse_refuses_what_is_not_a_payload(broken):
    with pytest.raises(ValueError, match="malformed"):
        parse(broken)


def test_parse_refuses_malformed_fields_even_with_a_right_crc():
    def signed(body: str) -> str:
        body += "6304"
        return body + f"{bitwise_crc(body.encode()):04X}"

    with pytest.raises(ValueError, match="malformed"):
        parse(signed("000201" "5499123"))                    # amount announces 99 characters
    with pytest.raises(ValueError, match="twice"):
        parse(signed("000201" "5303704" "5303704"))
    with pytest.raises(ValueError, match="field 38 is missing"):
        parse(signed("000201" "5303704" "5802VN"))
    with pytest.raises(ValueError, match="NAPAS"):
        parse(signed("000201" "38140010A000000775" "5303704" "5802VN"))


def test_parse_refuses_an_amount_with_a_decimal_point():
    text = payload(ACCOUNT, 250000, "OC2611-000123").replace("5406250000", "54062500.0")[:-4]
    with pytest.raises(ValueError, match="whole number"):
        parse(text + f"{bitwise_crc(text.encode()):04X}")


# --- Refused inputs -----------------------------------------------------------------------------


def raised(exception_type, function, *args):
    """Run `function`, expect exactly `exception_type` (pytest.raises also accepts subclasses)."""
    with pytest.raises(exception_type) as caught:
        function(*args)
    assert type(caught.value) is exception_type
    return caught.value


def test_refused_amounts():
    raised(TypeError, payload, ACCOUNT, 250000.0, "OC1")
    raised(TypeError, payload, ACCOUNT, True, "OC1")
    raised(TypeError, payload, ACCOUNT, "250000", "OC1")
    raised(ValueError, payload, ACCOUNT, 0, "OC1")
    raised(ValueError, payload, ACCOUNT, -1, "OC1")
    raised(ValueError, payload, ACCOUNT, 10_000_000_000_000, "OC1")
    assert parse(payload(ACCOUNT, 9_999_999_999_999, "OC1"))["amount_vnd"] == 9_999_999_999_999
    assert parse(payload(ACCOUNT, 1, "OC1"))["amount_vnd"] == 1


@pytest.mark.parametrize("bin_", ["97043", "9704361", "97043A", "", " 970436", "٩٧٠٤٣٦"])
def test_refused_bins(bin_):
    error = raised(ValueError, BankAccount, bin_, "0011001234567", "HTX")
    assert "6 digits" in str(error)


@pytest.mark.parametrize("number", ["12345", "12345678901234567890", "0011-0012", "abc123456", ""])
def test_refused_account_numbers(number):
    raised(ValueError, BankAccount, "970436", number, "HTX")


def test_accepted_account_numbers():
    assert BankAccount("970415", "123456", "A").account_number == "123456"
    assert BankAccount("970418", "VQRQ12345678ABCDEFG", "A").account_number == "VQRQ12345678ABCDEFG"


@pytest.mark.parametrize("purpose", ["", "   ", "#!?", "— ̀"])
def test_refused_empty_purposes(purpose):
    raised(ValueError, payload, ACCOUNT, 250000, purpose)


def test_refused_purpose_that_is_not_a_string():
    raised(TypeError, payload, ACCOUNT, 250000, 123)


def test_account_is_frozen():
    with pytest.raises(AttributeError):
        ACCOUNT.bin = "970415"


# --- The purpose --------------------------------------------------------------------------------


def test_diacritics_folded():
    assert vietqr.clean_purpose("Đơn hàng OC-1") == "DON HANG OC-1"
    text = payload(ACCOUNT, 250000, "Đơn hàng OC-1")
    assert "62170813DON HANG OC-1" in text
    assert parse(text)["purpose"] == "DON HANG OC-1"


def test_purpose_keeps_only_letters_digits_space_and_dash():
    assert vietqr.clean_purpose("  Thanh toán\tđơn #OC2611-000123!  ") == "THANH TOAN DON OC2611-000"  # 25
    assert vietqr.clean_purpose("đặt  chè: OC1") == "DAT CHE OC1"


def test_long_purpose_is_cut_to_25_and_the_order_number_survives():
    number = "OC2611-0001234567890"  # 20 characters, the longest order number
    cleaned = vietqr.clean_purpose(f"{number} giao hàng nhanh")
    assert cleaned == f"{number} GIAO"
    assert len(cleaned) <= 25
    assert vietqr.clean_purpose(f"{number} abcd efgh") == f"{number} ABCD"  # no trailing space


@given(
    amount=st.integers(min_value=1, max_value=9_999_999_999_999),
    purpose=st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=40),
)
def test_round_trip_property(amount, purpose):
    text = payload(ACCOUNT, amount, purpose)
    decoded = parse(text)
    assert decoded["amount_vnd"] == amount
    assert decoded["purpose"] == purpose.upper()[:25]
    assert (decoded["bin"], decoded["account_number"]) == ("970436", "0011001234567")
    assert crc_verifies(text)


# --- The picture --------------------------------------------------------------------------------


def test_svg_is_inline():
    picture = vietqr.svg(payload(ACCOUNT, 250000, "OC2611-000123"))
    assert picture.startswith("<svg")
    assert "<?xml" not in picture
    assert "#1d1d1b" in picture
    assert len(vietqr.svg("000201", scale=10)) > 0


def test_svg_refuses_a_bad_scale():
    raised(ValueError, vietqr.svg, "000201", 0)
