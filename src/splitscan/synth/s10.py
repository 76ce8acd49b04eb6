"""UPU S10 item identifiers: 2-letter service indicator, 8-digit serial, check digit, 2-letter origin country.

Check digit (domain.md §5.5): weights 8 6 4 2 3 5 9 7 over the serial digits; c = 11 - (sum mod 11); 10 -> 0
and 11 -> 5. Worked example from domain.md: serial 12345678 -> 1*8 + 2*6 + 3*4 + 4*2 + 5*3 + 6*5 + 7*9 + 8*7 =
204; 204 mod 11 = 6; 11 - 6 = 5, so `RR123456785TR` is valid. Detection code reuses these functions.
"""

from __future__ import annotations

import re

__all__ = ["S10_WEIGHTS", "is_valid_s10", "make_s10", "s10_check_digit"]

S10_WEIGHTS: tuple[int, ...] = (8, 6, 4, 2, 3, 5, 9, 7)
_S10_RE = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")


def s10_check_digit(serial: str) -> int:
    """The S10 check digit of an 8-digit serial.

    Args:
        serial: exactly 8 ASCII digits.

    Returns:
        The check digit, 0-9.

    Raises:
        ValueError: if `serial` is not 8 ASCII digits.
    """
    if len(serial) != 8 or not serial.isascii() or not serial.isdigit():
        raise ValueError(f"S10 serial must be 8 digits, got {serial!r}")
    total = sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return 0
    if check == 11:
        return 5
    return check


def make_s10(service: str, serial: int, country: str) -> str:
    """Build a valid S10 identifier, e.g. `make_s10("RR", 12345678, "TR") == "RR123456785TR"`.

    Args:
        service: 2 upper-case letters (service indicator, e.g. `RR`, `LX`, `EE`, `CP`).
        serial: 0 <= serial <= 99,999,999.
        country: ISO alpha-2 code of the origin postal operator.

    Raises:
        ValueError: on a malformed service indicator, serial or country.
    """
    if not re.fullmatch(r"[A-Z]{2}", service):
        raise ValueError(f"S10 service indicator must be 2 upper-case letters, got {service!r}")
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise ValueError(f"S10 country must be 2 upper-case letters, got {country!r}")
    if not 0 <= serial <= 99_999_999:
        raise ValueError(f"S10 serial must be in 0..99999999, got {serial}")
    digits = f"{serial:08d}"
    return f"{service}{digits}{s10_check_digit(digits)}{country}"


def is_valid_s10(s: str) -> bool:
    """Whether `s` is a well-formed S10 identifier with a correct check digit (upper case, no spaces)."""
    m = _S10_RE.match(s)
    if m is None:
        return False
    return s10_check_digit(m.group(2)) == int(m.group(3))
