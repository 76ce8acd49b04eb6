"""UPU S10 check digits against worked examples (domain.md §5.5)."""

from __future__ import annotations

import numpy as np
import pytest

from splitscan.synth.ids import awb_check_digit, s10_check_digits
from splitscan.synth.s10 import is_valid_s10, make_s10, s10_check_digit


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        # domain.md: 1*8 + 2*6 + 3*4 + 4*2 + 5*3 + 6*5 + 7*9 + 8*7 = 204; 204 mod 11 = 6; 11 - 6 = 5
        ("12345678", 5),
        # 4*8 + 7*6 + 3*4 + 1*2 + 2*3 + 4*5 + 8*9 + 2*7 = 32+42+12+2+6+20+72+14 = 200; 200 mod 11 = 2; 11 - 2 = 9
        ("47312482", 9),
        # all zeros: sum 0; 11 - 0 = 11 -> 5
        ("00000000", 5),
        # 3*4 = 12; 12 mod 11 = 1; 11 - 1 = 10 -> 0
        ("00300000", 0),
        # 1*9 = 9; 11 - 9 = 2
        ("00000010", 2),
    ],
)
def test_check_digit_worked_examples(serial: str, expected: int) -> None:
    assert s10_check_digit(serial) == expected


def test_make_s10_builds_the_domain_example() -> None:
    assert make_s10("RR", 12345678, "TR") == "RR123456785TR"
    assert make_s10("LX", 47312482, "CN") == "LX473124829CN"
    assert make_s10("EE", 0, "KR") == "EE000000005KR"


@pytest.mark.parametrize(
    ("item_id", "valid"),
    [
        ("RR123456785TR", True),
        ("LX473124829CN", True),
        ("RR123456784TR", False),  # wrong check digit
        ("rr123456785TR", False),  # lower-case service indicator
        ("RR12345678TR", False),  # serial too short
        ("RR123456785T", False),  # country too short
        ("RR 123456785TR", False),
        ("", False),
    ],
)
def test_is_valid_s10(item_id: str, valid: bool) -> None:
    assert is_valid_s10(item_id) is valid


@pytest.mark.parametrize("serial", ["1234567", "123456789", "1234567a", "１２３４５６７８"])
def test_check_digit_rejects_malformed_serials(serial: str) -> None:
    with pytest.raises(ValueError, match="8 digits"):
        s10_check_digit(serial)


@pytest.mark.parametrize(
    ("service", "serial", "country", "match"),
    [
        ("R", 1, "CN", "service indicator"),
        ("RR", -1, "CN", "serial"),
        ("RR", 100_000_000, "CN", "serial"),
        ("RR", 1, "cn", "country"),
    ],
)
def test_make_s10_rejects_bad_parts(service: str, serial: int, country: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make_s10(service, serial, country)


def test_vectorised_check_digits_match_the_scalar_rule() -> None:
    serials = np.random.default_rng(0).integers(0, 100_000_000, size=500)
    expected = [s10_check_digit(f"{s:08d}") for s in serials.tolist()]
    assert s10_check_digits(serials).tolist() == expected


def test_air_waybill_check_digit_is_serial_mod_7() -> None:
    assert awb_check_digit(1234567) == 1234567 % 7 == 5
