"""Address parsing: building, complex and unit keys, forwarder suites, PO boxes and unit relations."""

from __future__ import annotations

import pandas as pd
import pytest

from splitscan.ingest.standardise import standardise_address, standardise_postcode
from splitscan.resolve.addresses import (
    ADDRESS_FEATURE_COLUMNS,
    UNIT_RELATIONS,
    ParsedAddress,
    address_features,
    parse_address,
    unit_relation,
)


def parsed(raw: str, postcode: str | None = None) -> ParsedAddress:
    """Parse a raw address the way the pipeline does: standardise first."""
    return parse_address(standardise_address(raw), standardise_postcode(postcode))


# ------------------------------------------------------------------------------------ Korean units

TEHERAN_123 = [
    "서울특별시 강남구 테헤란로 123, 101동 1203호",
    "서울 강남구 테헤란로 123 101동1203호",
    "서울특별시 강남구 테헤란로 123, 101동 1203호 (역삼동, 래미안아파트)",
    "서울 강남구 테헤란로 123 래미안 101동 1203호",
    "서울 강남구 테헤란로 123 101-1203호",
    "서울 강남구 테헤란로 123, 101-1203",
    "101-dong 1203-ho, 123 Teheran-ro, Gangnam-gu, Seoul",
    "101DONG 1203HO 123 TEHERAN-RO GANGNAM-GU SEOUL",
    "101 Dong 1203 Ho, 123 Teheran-ro, Gangnam-gu",
    "#101-1203, 123 Teheran-ro, Gangnam-gu, Seoul",
    "123 Teheran-ro #101-1203 Gangnam-gu Seoul",
    "101-1203, 123 Teheran-ro, Gangnam-gu, Seoul, Republic of Korea",
    "123 Teheran-ro 101-1203 Gangnam-gu",
    "Raemian Apt 101-1203, 123 Teheran-ro, Gangnam-gu, Seoul",
    "123 Teheranro, Gangnam-gu, Seoul 101-1203",
]


@pytest.mark.parametrize("raw", TEHERAN_123)
def test_korean_unit_writings_share_one_unit_key(raw: str) -> None:
    p = parsed(raw, "06236")
    assert (p.building_key, p.unit, p.unit_key, p.country) == (
        "P:06236|TEHELANLU|123",
        "101-1203",
        "P:06236|TEHELANLU|123|101-1203",
        "KR",
    )


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        ("서울 강남구 테헤란로 123, 1203호", "1203"),
        ("123 Teheran-ro 1203-ho Gangnam-gu", "1203"),
        ("서울 강남구 테헤란로 123, 5층 501호", "501"),
        ("5F 501, 123 Teheran-ro, Gangnam-gu", "501"),
        ("서울 강남구 테헤란로 123 3층", "FL3"),
        ("서울 마포구 망원동 123 가동 101호", "GA-101"),
        ("서울 마포구 망원로 12 A동 101호", "A-101"),
        ("서울 강남구 테헤란로 123, 0101동 01203호", "101-1203"),
    ],
)
def test_korean_unit_forms(raw: str, unit: str) -> None:
    assert parsed(raw, "06236").unit == unit


@pytest.mark.parametrize(
    "raw",
    [
        "서울특별시 강남구 역삼동 123-4",
        "Yeoksam-dong 123-4, Gangnam-gu, Seoul",
        "123-4 YEOKSAM DONG GANGNAM GU SEOUL",
    ],
)
def test_neighbourhood_dong_is_not_a_unit(raw: str) -> None:
    p = parsed(raw, "06236")
    assert (p.building_key, p.unit) == ("P:06236|UKSAMTUNK|123-4", None)


@pytest.mark.parametrize("raw", ["서울 강남구 역삼1동 123-4", "Yeoksam 1-dong 123-4, Gangnam-gu, Seoul"])
def test_numbered_neighbourhood_is_not_a_block(raw: str) -> None:
    p = parsed(raw)
    assert (p.building_key, p.unit, p.locality) == ("D:KANKNAMKU|UKSAM1TUNK|123-4", None, "D:KANKNAMKU")


# --------------------------------------------------------------------------------- Korean buildings


@pytest.mark.parametrize(
    ("hangul", "latin"),
    [
        ("서울특별시 관악구 신림로 123", "123 Sillim-ro, Gwanak-gu, Seoul"),  # sound change 신림 -> Sillim
        ("서울 종로구 종로 1", "1 Jong-ro, Jongno-gu, Seoul"),
        ("대전광역시 유성구 도산대로 47", "47 Dosan-daero, Yuseong-gu, Daejeon"),
        ("서울 성북구 충대로 184-40", "184-40 Chungdae-ro, Seongbuk-gu, Seoul"),  # 충 + 대로 vs Chungdae + ro
        ("서울 강남구 테헤란로12길 34", "34 Teheran-ro 12-gil, Gangnam-gu, Seoul"),
        ("서울 관악구 시흥대로12번길 276", "276 Siheung-daero 12beon-gil, Gwanak-gu, Seoul"),
        ("서울 송파구 올림픽로 300", "300 Olympic-ro, Songpa-gu, Seoul"),
    ],
)
def test_hangul_and_latin_road_addresses_meet(hangul: str, latin: str) -> None:
    a, b = parsed(hangul, "01234"), parsed(latin, "01234")
    assert a.building_key is not None
    assert a.building_key == b.building_key


def test_road_key_values() -> None:
    assert parsed("서울 강남구 테헤란로12길 34", "06236").building_key == "P:06236|TEHELANLU12GIL|34"
    assert parsed("서울 관악구 시흥대로12번길 276", "08700").building_key == "P:08700|SIHUNKTELU12BEONGIL|276"


def test_korean_building_number_side() -> None:
    # Hangul order puts the number after the road; Latin order before it, with the unit after.
    assert parsed("도산대로 47 1203", "34000").building_key == "P:34000|TUSANTELU|47"
    assert parsed("47 Dosan-daero 102-1203", "34000").unit_key == "P:34000|TUSANTELU|47|102-1203"


@pytest.mark.parametrize(
    "raw",
    [
        "대전광역시 유성구 도산대로 47, 103동 704호 (죽전동, 주공5단지아파트)",
        "대전 유성구 죽전동 1651-64 주공5단지 103동 704호",
        "Jugong Complex 5 Apt 103-704, 47 Dosan-daero, Yuseong-gu, Daejeon",
    ],
)
def test_complex_key(raw: str) -> None:
    p = parsed(raw, "34000")
    assert (p.complex_key, p.unit) == ("P:34000|C|JUKUNK5", "103-704")


def test_road_and_lot_writings_of_one_complex_unit() -> None:
    road = parsed("대전광역시 유성구 도산대로 47, 103동 704호 (죽전동, 주공5단지아파트)", "34000")
    lot = parsed("대전 유성구 죽전동 1651-64 주공5단지 103동 704호", "34000")
    assert road.building_key != lot.building_key
    assert unit_relation(road, lot) == "same_unit"


def test_named_building_latin_and_hangul() -> None:
    a = parsed("서울 관악구 정자동 854-57 동원빌딩 12층 1206호", "08700")
    b = parsed("Dongwon Building 12F 1206, 276 Siheung-daero 12beon-gil, Gwanak-gu, Seoul", "08700")
    assert (a.complex_key, b.complex_key, a.unit, b.unit) == ("P:08700|C|TUNKUN",) * 2 + ("1206",) * 2
    assert unit_relation(a, b) == "same_unit"


def test_rural_lot_address() -> None:
    p = parsed("경기 양평군 양서면 용담리 123")
    assert (p.building_key, p.locality) == ("D:ANKPUNKUN|UNKTAMLI|123", "D:ANKPUNKUN")


# ------------------------------------------------------------------------------------------- US


US_4B = [
    "123 Main St Apt 4B, Springfield, IL 62701",
    "123 MAIN STREET #4B SPRINGFIELD IL 62701",
    "123 Main Street, Unit 4B, Springfield, IL 62701-1234",
    "123 Main St Ste 4B Springfield IL 62701",
    "123 Main St Suite 4-B Springfield IL 62701",
    "123 Main St Apt #4B Springfield IL 62701",
    "123 Main St Apt 4 B, Springfield, IL 62701, USA",
    "Apt 4B, 123 Main St, Springfield, IL 62701",
]


@pytest.mark.parametrize("raw", US_4B)
def test_us_unit_writings_share_one_unit_key(raw: str) -> None:
    p = parsed(raw)
    assert (p.building_key, p.unit, p.unit_key, p.postcode, p.country) == (
        "P:62701|MEN|123",
        "4B",
        "P:62701|MEN|123|4B",
        "62701",
        "US",
    )


def test_us_postcode_from_argument_wins() -> None:
    p = parsed("123 Main St Apt 4B, Springfield, IL 62701", "62704")
    assert (p.unit_key, p.postcode) == ("P:62704|MEN|123|4B", "62704")


@pytest.mark.parametrize(
    ("raw", "street_key", "unit"),
    [
        ("7400 NE Columbia Blvd Ste 249034, Portland, OR 97218", "KULUMPIA|7400", "249034"),
        ("7400 Northeast Columbia Boulevard #249034 Portland OR 97218", "KULUMPIA|7400", "249034"),
        ("8256 NW 30th Ter, Doral, FL 33122", "30|8256", None),
        ("350 5th Ave Fl 3, New York, NY 10118", "5|350", "FL3"),
        ("350 Fifth Avenue, 3rd Floor, New York, NY 10118", "5|350", "FL3"),
        ("1 Infinite Loop, Cupertino, CA 95014", "INPINITE|1", None),
        ("123 Broadway, New York, NY 10006", "PLUATAI|123", None),
        ("100 St Paul Ave Apt 2, Boston, MA 02110", "STPAUL|100", "2"),
        ("100 Saint Paul Avenue Apt 2, Boston, MA 02110", "STPAUL|100", "2"),
        ("7256 Eagle St Apt 11E-1, Memphis, TN 38100", "EAKLE|7256", "11E-1"),
        ("45 Elm St Bldg 5 Apt 2, Austin, TX 78701", "ELM|45", "5-2"),
    ],
)
def test_us_streets_and_units(raw: str, street_key: str, unit: str | None) -> None:
    p = parsed(raw)
    assert (p.street_key, p.unit) == (street_key, unit)


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("100 Lukens Dr Ste 165865, New Castle, DE 19720", "165865"),
        ("7850 NW 25th St #60291 Miami FL 33166", "60291"),
        ("7850 NW 25th St Suite KR12345 Miami FL 33166", "12345"),
        ("7850 NW 25th St PMB 88231 Miami FL 33166", "88231"),
        ("7850 NW 25th St Ste 1613 Miami FL 33166", None),  # four digits: an ordinary suite
        ("서울 강남구 테헤란로 123, 101동 1203호", None),  # Korean units never reach five digits
        ("123 Main St, Springfield, IL 62701", None),  # the ZIP is not a suite
    ],
)
def test_forwarder_suite_digits(raw: str, digits: str | None) -> None:
    assert parsed(raw).suite_digits == digits


@pytest.mark.parametrize(
    ("raw", "postcode", "building_key", "unit"),
    [
        ("PO Box 1234, Anchorage, AK 99501", None, "P:99501|POBOX", "1234"),
        ("P.O. Box 77", "10001", "P:10001|POBOX", "77"),
        ("Post Office Box 0077", "10001", "P:10001|POBOX", "77"),
        ("POB 77", "10001", "P:10001|POBOX", "77"),
        ("서울 중구 사서함 123", "04500", "P:04500|POBOX", "123"),
    ],
)
def test_po_boxes(raw: str, postcode: str | None, building_key: str, unit: str) -> None:
    p = parsed(raw, postcode)
    assert (p.is_po_box, p.building_key, p.unit) == (True, building_key, unit)


def test_box_without_number_is_not_a_po_box() -> None:
    assert not parsed("12 Box Hill Rd, Springfield, IL 62701").is_po_box


# ----------------------------------------------------------------------------------------- locality


def test_locality_without_postcode() -> None:
    kr = parsed("서울특별시 강남구 테헤란로 123, 101동 1203호")
    us = parsed("123 Main St Apt 4B, Springfield, IL")
    assert (kr.locality, kr.building_key, kr.postcode) == ("D:KANKNAMKU", "D:KANKNAMKU|TEHELANLU|123", None)
    assert (us.locality, us.building_key, us.postcode) == ("S:IL", "S:IL|MEN|123", None)


def test_korean_postcode_in_text() -> None:
    p = parsed("(06236) 서울 강남구 테헤란로 123")
    assert (p.postcode, p.building_key) == ("06236", "P:06236|TEHELANLU|123")


def test_empty_addresses() -> None:
    assert parse_address(None) == ParsedAddress(None, None, None, None, None, None, False, None, None, None)
    assert parse_address(standardise_address("   ")) == parse_address(None)
    only_postcode = parse_address(None, "06236")
    assert (only_postcode.postcode, only_postcode.locality, only_postcode.building_key) == ("06236", "P:06236", None)


@pytest.mark.parametrize(
    ("raw", "postcode", "building_key", "unit"),
    [
        ("123 Main St, Toronto ON M5V 2T6", "M5V2T6", "P:M5V2T6|MEN|123", None),
        ("Flat 3, 12 High Street, London SW1A 1AA", "SW1A1AA", "P:SW1A1AA|HIK|12", "3"),
        ("〒150-0041 東京都渋谷区神南1-2-3", "1500041", None, None),  # Japanese blocks are not parsed
    ],
)
def test_foreign_postcodes_in_text(raw: str, postcode: str, building_key: str | None, unit: str | None) -> None:
    p = parsed(raw)
    assert (p.postcode, p.building_key, p.unit) == (postcode, building_key, unit)


def test_basement_floor() -> None:
    assert parsed("서울특별시 강남구 테헤란로 123 지하1층", "06236").unit == "B1"


def test_foreign_address_needs_a_postcode_for_keys() -> None:
    assert parsed("221B Baker Street, London").building_key is None
    assert parsed("221B Baker Street, London", "NW1 6XE").building_key == "P:NW16XE|PAKEL|221B"


# ------------------------------------------------------------------------------------ unit relation


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        ("서울 강남구 테헤란로 123, 101동 1203호", "#101-1203, 123 Teheran-ro, Gangnam-gu", "same_unit"),
        (
            "서울 강남구 테헤란로 123, 101동 1203호",
            "서울 강남구 테헤란로 123, 102동 1203호",
            "same_building_other_unit",
        ),
        (
            "서울 강남구 테헤란로 123, 101동 1203호",
            "서울 강남구 테헤란로 123, 101동 1204호",
            "same_building_other_unit",
        ),
        ("서울 강남구 테헤란로 123, 101동 1203호", "서울 강남구 테헤란로 123", "same_building_unit_missing"),
        ("서울 강남구 테헤란로 123, 101동 1203호", "서울 강남구 테헤란로 123, 1203호", "same_building_unit_missing"),
        ("서울 강남구 테헤란로 123, 101동 1203호", "서울 강남구 테헤란로 125, 101동 1203호", "same_postcode"),
        ("123 Main St Apt 4B", "123 MAIN STREET #4B", "same_unit"),
        ("123 Main St Apt 4B", "123 Main St Apt 5C", "same_building_other_unit"),
        ("123 Main St Apt 4B", "125 Main St Apt 4B", "same_postcode"),
    ],
)
def test_unit_relation_same_postcode(a: str, b: str, relation: str) -> None:
    pa, pb = parsed(a, "06236"), parsed(b, "06236")
    assert unit_relation(pa, pb) == relation
    assert unit_relation(pb, pa) == relation
    assert relation in UNIT_RELATIONS


def test_unit_relation_across_postcodes_and_missing_data() -> None:
    a = parsed("123 Main St Apt 4B", "62701")
    assert unit_relation(a, parsed("123 Main St Apt 4B", "62702")) == "different"
    assert unit_relation(a, parse_address(None)) == "unknown"
    assert unit_relation(a, parse_address(None, "62701")) == "same_postcode"
    assert unit_relation(parse_address(None), parse_address(None)) == "unknown"


def test_unit_relation_when_one_side_lacks_the_postcode() -> None:
    # Postcode on one side, district on the other: the keys differ, the street and number still compare.
    with_postcode = parsed("서울 강남구 테헤란로 123, 101동 1203호", "06236")
    without = parsed("101-dong 1203-ho, 123 Teheran-ro, Gangnam-gu, Seoul")
    assert with_postcode.building_key != without.building_key
    assert unit_relation(with_postcode, without) == "same_unit"
    assert unit_relation(with_postcode, parsed("서울 강남구 테헤란로 123, 102동 1203호")) == "same_building_other_unit"


# -------------------------------------------------------------------------------------- vectorised


def test_address_features_frame() -> None:
    addresses = pd.Series(
        [
            "123 MAIN ST APT 4B",
            None,
            "123 MAIN ST APT 4B",
            "123 MAIN ST APT 4B",
            "PO BOX 12",
            "100 LUKENS DR STE 165865",
        ],
        index=["a", "b", "c", "d", "e", "f"],
    )
    postcodes = pd.Series(["62701", "62701", "62701", None, float("nan"), "19720"], index=addresses.index)
    out = address_features(addresses, postcodes)
    expected = pd.DataFrame(
        {
            "building_key": ["P:62701|MEN|123", None, "P:62701|MEN|123", None, None, "P:19720|LUKENS|100"],
            "complex_key": [None] * 6,
            "unit": ["4B", None, "4B", "4B", "12", "165865"],
            "unit_key": ["P:62701|MEN|123|4B", None, "P:62701|MEN|123|4B", None, None, "P:19720|LUKENS|100|165865"],
            "suite_digits": [None, None, None, None, None, "165865"],
            "is_po_box": [False, False, False, False, True, False],
        },
        index=["a", "b", "c", "d", "e", "f"],
    )
    assert list(out.columns) == list(ADDRESS_FEATURE_COLUMNS)
    pd.testing.assert_frame_equal(out, expected)


def test_address_features_length_mismatch() -> None:
    with pytest.raises(ValueError, match="2 addresses but 1 postcodes"):
        address_features(pd.Series(["a", "b"]), pd.Series(["1"]))
