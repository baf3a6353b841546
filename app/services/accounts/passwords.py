"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 10
MAX_LENGTH = 128
# The most common passwords that satisfy the length rule; breached-password lists start here.
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "password123", "password12", "qwertyuiop", "1q2w3e4r5t",
    "iloveyou12", "passw0rd12", "qwerty1234", "abcdefghij", "0123456789", "1111111111",
    "aaaaaaaaaa", "password1234", "123456789a", "a123456789", "qwerty12345", "letmein123",
    "welcome123", "admin12345",
})

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash` (never raises on a mismatch)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older parameters."""
    return _hasher.check_needs_rehash(password_hash)


def password_problems(password: str, email: str = "", display_name: str = "") -> list[str]:
    """What is wrong with `password` as a new password (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append(_("This password is too common or too easy to guess."))
    local_part = email.split("@", 1)[0].lower()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        display_name and len(display_name) >= 4 and display_name.lower() in lowered
    ):
        problems.append(_("Don't build the password from your e-mail address or name."))
    return problems
