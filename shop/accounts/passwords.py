"""Password rules: a minimum length and no password from the shipped list of common ones."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from shop.errors import ValidationError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"


@cache
def common_passwords() -> frozenset[str]:
    """The 20,000 most common passwords (see data/README.md for their origin), lower case."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common(password: str) -> bool:
    return password.strip().lower() in common_passwords()


def check(password: str) -> None:
    """Refuse a password that is too short, too long or common; the message says which."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"the password needs at least {MIN_PASSWORD_LENGTH} characters",
            {"password": "too_short"})
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            f"the password may have at most {MAX_PASSWORD_LENGTH} characters",
            {"password": "too_long"})
    if is_common(password):
        raise ValidationError(
            "this password is among the most common ones; choose another",
            {"password": "common"})
