"""Name parsing, romanisation, surname canonicalisation, name keys and given-name similarity."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from rapidfuzz.distance import JaroWinkler

from splitscan.ingest.standardise import standardise_name
from splitscan.resolve import names as names_module
from splitscan.resolve.names import (
    NAME_FEATURE_COLUMNS,
    ParsedName,
    canonical_surname,
    given_name_similarities,
    given_name_similarity,
    name_features,
    name_key,
    name_phonetic_key,
    name_sorted_key,
    parse_name,
    phonetic_code,
    romanise_hangul,
)


def parsed(raw: str) -> ParsedName:
    """Parse a raw name the way the pipeline does: standardise first."""
    result = parse_name(standardise_name(raw))
    assert result is not None, raw
    return result


def surname_given(raw: str) -> tuple[str | None, str]:
    p = parsed(raw)
    return p.surname, p.given


# ---------------------------------------------------------------------------------------- romanisation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("김민준", "KIM MINJUN"),
        ("이지은", "LEE JIEUN"),
        ("박서연", "PARK SEOYEON"),
        ("정하은", "JUNG HAEUN"),
        ("류현진", "YOO HYEONJIN"),
        ("남궁민수", "NAMGOONG MINSU"),
        ("제갈량", "JEGAL RYANG"),
        ("서문희", "SEO MUNHUI"),  # three syllables: 서 + 문희, not the rare compound 서문
        ("한복남", "HAN BOKNAM"),  # personal names: no sound changes (not HAN BONGNAM)
        ("김", "KIM"),
        ("김 민준", "KIM MINJUN"),
        ("꽃닭값", "KKOTDAKGAP"),  # not a surname: plain RR; finals ㅊ->T, ㄺ->K, ㅄ->P
        ("김치찌개맛집 이야기", "GIMCHIJJIGAEMATJIP IYAGI"),  # a first word of five or more syllables is no name
        ("KIM 민준", "KIM MINJUN"),
        ("", ""),
    ],
)
def test_romanise_hangul_names(text: str, expected: str) -> None:
    assert romanise_hangul(text) == expected


@pytest.mark.parametrize(
    ("text", "plain", "with_sound_changes"),
    [
        ("신림", "SINRIM", "SILLIM"),  # ㄴ+ㄹ -> ll
        ("종로", "JONGRO", "JONGNO"),  # ㅇ+ㄹ -> ng n
        ("답십리", "DAPSIPRI", "DAPSIMNI"),  # ㅂ+ㄹ -> m n
        ("백마", "BAEKMA", "BAENGMA"),  # ㄱ+ㅁ -> ng m
        ("설날", "SEOLNAL", "SEOLLAL"),  # ㄹ+ㄴ -> l l
        ("길음", "GILEUM", "GIREUM"),  # liaison
        ("굳이", "GUTI", "GUJI"),  # palatalisation
        ("좋고", "JOTGO", "JOKO"),  # ㅎ aspirates the next plain stop
        ("서울", "SEOUL", "SEOUL"),
        ("역삼", "YEOKSAM", "YEOKSAM"),
    ],
)
def test_romanise_hangul_place_names(text: str, plain: str, with_sound_changes: str) -> None:
    assert romanise_hangul(text, surname_first=False) == plain
    assert romanise_hangul(text, surname_first=False, sound_changes=True) == with_sound_changes


def test_romanise_keeps_other_characters() -> None:
    assert romanise_hangul("서울시 강남구 101동", surname_first=False) == "SEOULSI GANGNAMGU 101DONG"
    assert romanise_hangul("王小明") == "王小明"


# ---------------------------------------------------------------------------------------- surnames


@pytest.mark.parametrize(
    ("canonical", "spellings"),
    [
        ("LEE", ["LEE", "YI", "RHEE", "I", "RI", "LI", "RHIE", "YEE", "이", "리", "lee", "Rhee"]),
        ("PARK", ["PARK", "PAK", "BAK", "BARK", "BAHK", "박"]),
        ("CHOI", ["CHOI", "CHOE", "CHOY", "CHOUI", "최"]),
        ("JUNG", ["JUNG", "JEONG", "CHUNG", "CHEONG", "JOUNG", "JEUNG", "ZHENG", "CHENG", "정"]),
        ("KIM", ["KIM", "GIM", "KHIM", "김"]),
        ("KANG", ["KANG", "GANG", "KHANG"]),
        ("CHO", ["CHO", "JO", "JOH", "CHOH", "ZHAO", "CHAO", "CHIU"]),
        ("YOON", ["YOON", "YUN", "YUNE", "YOUN"]),
        ("JANG", ["JANG", "CHANG", "ZHANG", "CHEUNG", "장"]),
        ("LIM", ["LIM", "IM", "LYM", "RIM", "YIM", "LIN", "LAM", "임", "림"]),
        ("OH", ["OH", "O", "OE"]),
        ("SHIN", ["SHIN", "SIN", "SHINN"]),
        ("KWON", ["KWON", "GWON", "KWEON"]),
        ("AHN", ["AHN", "AN"]),
        ("YOO", ["YOO", "YU", "RYU", "RYOO", "YOU", "LIU", "LAU", "유", "류"]),
        ("JEON", ["JEON", "JUN", "CHUN", "CHEON", "JUHN", "전", "천"]),
        ("KO", ["KO", "GO", "KOH"]),
        ("MOON", ["MOON", "MUN", "MOUN"]),
        ("SON", ["SON", "SOHN"]),
        ("BAE", ["BAE", "BAI", "PAE"]),
        ("BAEK", ["BAEK", "BAIK", "PAIK", "PAEK", "BACK"]),
        ("HEO", ["HEO", "HUH", "HUR", "HEOH"]),
        ("NOH", ["NOH", "NO", "ROH", "RO", "노"]),
        ("KWAK", ["KWAK", "GWAK", "KUAK", "GUO", "KWOK", "KUO"]),
        ("SUNG", ["SUNG", "SEONG", "SEUNG"]),
        ("JOO", ["JOO", "JU", "CHU", "ZHOU", "CHOW", "CHOU", "ZHU"]),
        ("WOO", ["WOO", "WU", "OO", "NG"]),
        ("KOO", ["KOO", "GU", "KU", "GOO"]),
        ("HONG", ["HONG", "HOUNG"]),
        ("SEO", ["SEO", "SUH", "SUR", "SEOH", "XU", "HSU", "TSUI"]),
        ("HWANG", ["HWANG", "HUANG", "WONG", "황"]),
        ("NA", ["NA", "RA", "LUO", "LAW", "LO", "나", "라"]),
        ("HO", ["HO", "HE"]),
        ("YANG", ["YANG", "YEUNG"]),
        ("CHEN", ["CHEN", "CHAN", "TAN"]),
        ("WANG", ["WANG", "왕"]),
        ("NAMGOONG", ["NAMGOONG", "NAMGUNG", "남궁"]),
        ("NGUYEN", ["NGUYEN", "Nguyễn"]),
    ],
)
def test_canonical_surname_groups(canonical: str, spellings: list[str]) -> None:
    assert {s: canonical_surname(s) for s in spellings} == dict.fromkeys(spellings, canonical)


def test_canonical_surname_separates_different_surnames() -> None:
    # 추 (CHOO) is not 주 (JOO); 오 (OH) is not 우 (WOO); 王 WANG is not 黃 (WONG -> HWANG)
    assert canonical_surname("CHOO") == "CHOO"
    assert canonical_surname("추") == "CHOO"
    assert len({canonical_surname(s) for s in ("CHOO", "JOO", "OH", "WOO", "WANG", "HWANG")}) == 6


def test_canonical_surname_unknown_and_empty() -> None:
    assert canonical_surname("Smith") == "SMITH"
    assert canonical_surname(" müller ") == "MULLER"
    assert canonical_surname("") == ""


def test_surname_table_has_each_spelling_once() -> None:
    with pytest.raises(ValueError, match="'LI'"):
        names_module._invert_groups({"LEE": ("LI",), "LI": ("LEE",)})


def test_every_hangul_surname_reading_is_in_the_table() -> None:
    readings = [*names_module._HANGUL_SURNAMES.values(), *names_module._HANGUL_COMPOUND_SURNAMES.values()]
    assert [r for r in readings if r not in names_module._SURNAME_CANONICAL] == []


# -------------------------------------------------------------------------------------- parse_name


@pytest.mark.parametrize(
    "raw",
    [
        "KIM MIN-JUN",
        "Minjun Gim",
        "김민준",
        "kim minjun",
        "Kim Min Jun",
        "KIM MIN JUN",
        "MINJUN KIM",
        "Min-jun Kim",
        "김 민준",
        "민준 김",
        "KIM, MINJUN",
        "KIMMINJUN",
        "Dr. Kim Min-jun",
        "김민준님",
        "ＫＩＭ　ＭＩＮＪＵＮ",
    ],
)
def test_one_korean_name_in_many_writings(raw: str) -> None:
    assert surname_given(raw) == ("KIM", "MINJUN")


@pytest.mark.parametrize("raw", ["Lee Ji-eun", "YI JIEUN", "RHEE JI EUN", "이지은", "Jieun Lee", "ji-eun rhee"])
def test_lee_jieun(raw: str) -> None:
    assert surname_given(raw) == ("LEE", "JIEUN")


def test_hangul_name_fields() -> None:
    assert parsed("김민준") == ParsedName(
        surname="KIM",
        given="MINJUN",
        middle=(),
        tokens=("KIM", "MINJUN"),
        is_business=False,
        script="hangul",
        surname_first=True,
        syllables=("JEON", "KIM", "MIN"),  # syllables that are surname spellings are canonical: JUN -> JEON
    )


@pytest.mark.parametrize(
    ("raw", "surname", "given", "first"),
    [
        ("MINJUN KIM", "KIM", "MINJUN", False),
        ("KIM MINJUN", "KIM", "MINJUN", True),
        ("MIN KIM", "KIM", "MIN", False),  # MIN is a surname too, but also a frequent given syllable
        ("SEO JUN PARK", "PARK", "SEOJUN", False),
        ("PARK SEO JUN", "PARK", "SEOJUN", True),
        ("NGUYEN VAN AN", "NGUYEN", "AN", True),
        ("Zhang Wei", "JANG", "WEI", True),
        ("WANG XIAOMING", "WANG", "XIAOMING", True),
        ("Xiaoming Wang", "WANG", "XIAOMING", False),
    ],
)
def test_surname_position(raw: str, surname: str, given: str, first: bool) -> None:
    p = parsed(raw)
    assert (p.surname, p.given, p.surname_first) == (surname, given, first)


@pytest.mark.parametrize(
    ("raw", "surname", "given", "middle"),
    [
        ("John Smith", "SMITH", "JOHN", ()),
        ("John M. Smith", "SMITH", "JOHN", ("M",)),
        ("Mr. John Smith Jr.", "SMITH", "JOHN", ()),
        ("MRS MARY ANN JONES III", "JONES", "MARY", ("ANN",)),
        ("J. Smith", "SMITH", "J", ()),
        ("J. Robert Smith", "SMITH", "ROBERT", ("J",)),  # an initial is not the given name beside a whole word
        ("James E. Huynh", "HWANG", "JAMES", ("E",)),  # a Vietnamese surname written last: Western order
        ("Thanh V. Nguyen", "NGUYEN", "THANH", ("V",)),
        ("Smith J", "SMITH", "J", ()),  # a trailing initial is not the surname
        ("SMITH, JOHN", "SMITH", "JOHN", ()),  # comma lost in standardisation; JOHN is a known given name
        ("Lee Smith", "SMITH", "LEE", ()),  # LEE followed by a non-CJK word: Western order
        ("David Lee", "LEE", "DAVID", ()),
        ("Kathryn Kim", "KIM", "KATHRYN", ()),
        ("Kim, Kathryn", "KIM", "KATHRYN", ()),
        ("José Peña", "PENA", "JOSE", ()),
        ("Maria Garcia Lopez", "GARCIA", "MARIA", ("LOPEZ",)),  # paternal surname is the key
        ("Maria Garcia", "GARCIA", "MARIA", ()),
        ("Maria de la Cruz", "DELACRUZ", "MARIA", ()),
        ("Ludwig van Beethoven", "VANBEETHOVEN", "LUDWIG", ()),
        ("Madonna", "MADONNA", "", ()),
        ("Susanna", "SUSANNA", "", ()),
        ("Hannah", "HANNAH", "", ()),
    ],
)
def test_western_names(raw: str, surname: str, given: str, middle: tuple[str, ...]) -> None:
    p = parsed(raw)
    assert (p.surname, p.given, p.middle, p.is_business) == (surname, given, middle, False)


@pytest.mark.parametrize(
    ("raw", "tokens"),
    [
        ("John M. Smith", ("JOHN", "SMITH")),  # a middle initial beside a whole given name is left out
        ("John Smith", ("JOHN", "SMITH")),
        ("MRS MARY ANN JONES III", ("ANN", "JONES", "MARY")),  # a whole middle name stays
        ("J. Smith", ("J", "SMITH")),  # the initial is the only given part: it stays
        ("Nguyen Van An", ("AN", "NGUYEN", "VAN")),
    ],
)
def test_tokens_leave_out_middle_initials(raw: str, tokens: tuple[str, ...]) -> None:
    assert parsed(raw).tokens == tokens


@pytest.mark.parametrize(
    ("raw", "surname", "given"),
    [
        ("남궁민수", "NAMGOONG", "MINSU"),
        ("NAMGOONG MINSU", "NAMGOONG", "MINSU"),
        ("NAM GOONG MIN SU", "NAMGOONG", "MINSU"),
        ("MINSU NAMGUNG", "NAMGOONG", "MINSU"),
        ("제갈민", "JEGAL", "MIN"),
        ("선우진", "SUNWOO", "JIN"),
        ("서문희", "SEO", "MUNHUI"),
        ("황보 영", "HWANGBO", "YEONG"),
    ],
)
def test_compound_surnames(raw: str, surname: str, given: str) -> None:
    assert surname_given(raw) == (surname, given)


@pytest.mark.parametrize(
    ("raw", "given"),
    [
        ("Hanbit Trading Co., Ltd.", "HANBIT TRADING"),
        ("HANBIT TRADING CO LTD", "HANBIT TRADING"),
        ("(주)한빛무역", "HANBITMUYEOK"),
        ("㈜한빛", "HANBIT"),
        ("주식회사 한빛", "HANBIT"),
        ("한빛(주)", "HANBIT"),
        ("Acme, Inc.", "ACME"),
        ("ACME LLC", "ACME"),
        ("Acme Corp.", "ACME"),
        ("Apex Supply", "APEX SUPPLY"),
        ("Blue Ridge Logistics", "BLUE RIDGE LOGISTICS"),
    ],
)
def test_businesses(raw: str, given: str) -> None:
    p = parsed(raw)
    assert (p.is_business, p.surname, p.given) == (True, None, given)


def test_bare_ju_is_the_corporate_mark() -> None:
    # "(주)" standardises to a bare "주": before a Hangul word or at the end it is read as the corporate mark,
    # so a person written with a space after the surname 주 is misread (documented trade-off).
    assert parsed("주 한빛").is_business
    assert parsed("한빛 주").is_business
    assert parsed("주 민준").is_business
    assert (parsed("주민준").is_business, parsed("주민준").surname) == (False, "JOO")
    assert (parsed("JU MINJUN").is_business, parsed("JU MINJUN").surname) == (False, "JOO")


@pytest.mark.parametrize(
    "raw",
    [None, "", "   ", "N/A", "n.a.", "NA", "N A", "UNKNOWN", "Unknown", "TEST", "test", "XXX", "xxxx", "NONE", "미상",
     "홍길동", "Mr.", "12345", "---"],
)  # fmt: skip
def test_placeholders_give_none(raw: str | None) -> None:
    assert parse_name(standardise_name(raw)) is None


@pytest.mark.parametrize(
    ("raw", "surname", "given", "script"),
    [
        ("Kim Minjun (김민준)", "KIM", "MINJUN", "hangul"),  # one name in two scripts: the Hangul part
        ("KIM MINJUN C/O ABC LOGISTICS", "KIM", "MINJUN", "latin"),  # care-of part is not the consignee
        ("C/O John Smith", "SMITH", "JOHN", "latin"),
        ("Attn: John Smith", "SMITH", "JOHN", "latin"),
        ("Kim, Min-jun Mr.", "KIM", "MINJUN", "latin"),  # trailing title
        ("Patrick O'Brien", "OBRIEN", "PATRICK", "latin"),
        ("O Minjun", "OH", "MINJUN", "latin"),  # 오: a Korean syllable follows, no Irish join
        ("🙂 Kim Minjun 🙂", "KIM", "MINJUN", "latin"),
        ("Иван Петров", "ПЕТРОВ", "ИВАН", "latin"),  # other alphabets: Western order, not romanised
    ],
)
def test_other_shapes(raw: str, surname: str, given: str, script: str) -> None:
    p = parsed(raw)
    assert (p.surname, p.given, p.script, p.is_business) == (surname, given, script, False)


@pytest.mark.parametrize("raw", ["a", "ㅋㅋㅋ", "Jane Doe", "C/O"])
def test_junk_names_give_none(raw: str) -> None:
    assert parse_name(standardise_name(raw)) is None


def test_raw_text_is_tolerated() -> None:
    assert parse_name("kim min-jun") == parse_name("KIM MIN JUN")
    assert parse_name(None) is None


def test_chinese_characters_are_kept() -> None:
    p = parsed("王小明")
    assert (p.surname, p.given, p.script) == ("王", "小明", "han")
    assert (parsed("田中太郎").surname, parsed("田中太郎").given) == ("田中", "太郎")


# --------------------------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("raw", "key", "sorted_key", "phonetic"),
    [
        ("KIM MIN-JUN", "KIM|MINJUN", "JUN KIM MIN", "KIM|MINJUN"),
        ("Kim Min-joon", "KIM|MINJOON", "JUN KIM MIN", "KIM|MINJUN"),
        ("이지은", "LEE|JIEUN", "JI LI UN", "LEE|JIUN"),
        ("John M. Smith", "SMITH|JOHN", "JOHN SMITH", "SMITH|JUN"),
        ("SMITH JOHN", "SMITH|JOHN", "JOHN SMITH", "SMITH|JUN"),
        ("Madonna", "MADONNA|", "MADONNA", "MADONNA|"),
        ("Hanbit Trading Co., Ltd.", "B|HANBITTRADING", "B|HANBIT TRADING", "B|HANPITLATINK"),
    ],
)
def test_keys(raw: str, key: str, sorted_key: str, phonetic: str) -> None:
    p = parsed(raw)
    assert (name_key(p), name_sorted_key(p), name_phonetic_key(p)) == (key, sorted_key, phonetic)


def test_keys_of_no_name() -> None:
    assert (name_key(None), name_sorted_key(None), name_phonetic_key(None)) == (None, None, None)


@pytest.mark.parametrize(
    "writings",
    [
        # the surname cannot be told from a given-name syllable here (YOON is a surname and a syllable)
        ["WOO JI YOON", "WOO JIYOON", "Woo Ji-yoon", "JIYOON WOO", "우지윤"],
        ["Ha Yu-jun", "HA YUJUN", "하유준", "YUJUN HA"],
        ["Hyunjung Joo", "Joo Hyun Jung", "주현정"],
        ["HONG NAEUN", "Hong Na-eun", "홍나은"],
        ["KIM HYUNWOO", "Kim Hyun-woo", "HYUNWOO KIM", "김현우"],
        ["PARK SEOYEON", "Park Seo-yeon", "SEOYUN PARK", "박서연"],
        ["Min-gyeong Lee", "LEE MINGYEONG", "이민경"],
    ],
)
def test_sorted_key_ignores_surname_position_and_spacing(writings: list[str]) -> None:
    keys = {w: name_sorted_key(parsed(w)) for w in writings}
    assert len(set(keys.values())) == 1, keys


@pytest.mark.parametrize(
    "writings",
    [
        ["KIM MINJUN", "Kim Min-joon", "김민준", "MINJOON KIM"],
        ["PARK JIHU", "PAK JEEHU", "박지후"],
        ["JUNG KYUNGSOO", "JEONG GYEONGSU", "CHUNG KYUNG SOO", "정경수"],
        ["LEE CHEOLSU", "YI CHULSOO", "이철수"],
        ["CHOI YOUNGHEE", "CHOE YEONGHUI", "최영희"],
    ],
)
def test_phonetic_key_absorbs_romanisation(writings: list[str]) -> None:
    keys = {w: name_phonetic_key(parsed(w)) for w in writings}
    assert len(set(keys.values())) == 1, keys


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("MINJUN", "MINJUN"),
        ("MINJOON", "MINJUN"),
        ("MIN JUN", "MINJUN"),
        ("민준", "MINJUN"),
        ("SEOYEON", "SUUN"),
        ("SEOYUN", "SUUN"),
        ("SUN", "SUN"),  # 선 stays apart from 서연
        ("YOUNG", "UNK"),
        ("YEONG", "UNK"),
        ("YEON", "UN"),
        ("CHEOL", "JUL"),
        ("CHUL", "JUL"),
        ("SUH", "SU"),
        ("HYUN", "HUN"),
        ("BEOM", "PUM"),
        ("WOOJIN", "UJIN"),
        ("UJIN", "UJIN"),
        ("", ""),
    ],
)
def test_phonetic_code(text: str, code: str) -> None:
    assert phonetic_code(text) == code


# -------------------------------------------------------------------------------------- similarity


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("MINJUN", "MINJUN", 1.0),
        ("MIN JUN", "MIN-JUN", 1.0),
        ("MINJUN", "MINJOON", 1.0),
        ("민준", "MINJUN", 1.0),
        ("JIHU", "JEEHU", 1.0),
        ("KYUNGSOO", "GYEONGSU", 1.0),
        ("CHEOLSU", "CHULSOO", 1.0),
        ("J", "JOHN", 0.85),
        ("JOHN", "j", 0.85),
        ("K", "JOHN", 0.0),
        ("BOB", "ROBERT", 0.9),  # a short form and its formal name
        ("BOB", "ROB", 0.9),  # two short forms of one name
        ("ALEX", "ALEJANDRO", 0.9),
        ("LAN", "LNA", 0.85),  # one swap of neighbouring letters, which Jaro-Winkler misses in short names
        ("", "JOHN", 0.0),
        (None, "JOHN", 0.0),
    ],
)
def test_given_name_similarity_values(a: str | None, b: str | None, expected: float) -> None:
    assert given_name_similarity(a, b) == pytest.approx(expected)


def test_given_name_similarity_orders_and_bounds() -> None:
    typo = given_name_similarity("MINJUN", "MINJUM")
    other = given_name_similarity("MINJUN", "SEOYEON")
    assert 0.85 < typo < 1.0
    assert 0.0 <= other < 0.6
    assert given_name_similarity("SEOYEON", "MINJUN") == other
    # equal phonetic codes without a closer fold: 0.9 floor (SUHYUN / SEOHYEON fold to SUHUN / SUHYUN)
    assert given_name_similarity("SUHYUN", "SEOHYEON") >= 0.9
    # the floors stay specific: another letter is not a swap, two formal names are not short forms
    assert given_name_similarity("LAN", "IAN") == pytest.approx(JaroWinkler.similarity("LAN", "IAN"))
    assert given_name_similarity("LAN", "NAL") == pytest.approx(JaroWinkler.similarity("LAN", "NAL"))
    assert given_name_similarity("ROBERT", "WILLIAM") < 0.6
    assert given_name_similarity("BOB", "BILL") < 0.6


# -------------------------------------------------------------------------------------- vectorised


def test_given_name_similarities_equal_the_scalar_similarity_pair_by_pair() -> None:
    words: list[str | None] = [
        "MINJUN",
        "MIN JUN",
        "MINJOON",
        "민준",
        "JIHU",
        "JEEHU",
        "KYUNGSOO",
        "GYEONGSU",
        "SUHYUN",
        "SEOHYEON",
    ]
    words += ["J", "JOHN", "j", "K", "", None, "MINJUM", "SEOYEON", "CHEOLSU", "CHULSOO", "SEO-YEON"]
    words += ["BOB", "ROBERT", "ROB", "LAN", "LNA", "IAN", "ALEX", "ALEJANDRO"]
    left = [a for a in words for _ in words]
    right = [b for _ in words for b in words]
    vectorised = given_name_similarities(left, right)
    assert vectorised.tolist() == [given_name_similarity(a, b) for a, b in zip(left, right, strict=True)]
    assert given_name_similarities([], []).tolist() == []
    with pytest.raises(ValueError, match="1 left names but 2 right names"):
        given_name_similarities(["A"], ["A", "B"])


def test_name_features_frame() -> None:
    names = pd.Series(
        ["KIM MINJUN", None, "MINJUN KIM", "ACME INC", float("nan"), "KIM MINJUN", "N A"],
        index=[10, 11, 12, 13, 14, 15, 16],
    )
    out = name_features(names)
    expected = pd.DataFrame(
        {
            "surname": ["KIM", None, "KIM", None, None, "KIM", None],
            "given": ["MINJUN", None, "MINJUN", "ACME", None, "MINJUN", None],
            "name_tokens": ["KIM MINJUN", None, "KIM MINJUN", "ACME", None, "KIM MINJUN", None],
            "name_key": ["KIM|MINJUN", None, "KIM|MINJUN", "B|ACME", None, "KIM|MINJUN", None],
            "name_sorted_key": ["JUN KIM MIN", None, "JUN KIM MIN", "B|ACME", None, "JUN KIM MIN", None],
            "name_phonetic_key": ["KIM|MINJUN", None, "KIM|MINJUN", "B|AKME", None, "KIM|MINJUN", None],
            "is_business": [False, False, False, True, False, False, False],
        },
        index=[10, 11, 12, 13, 14, 15, 16],
    )
    assert list(out.columns) == list(NAME_FEATURE_COLUMNS)
    pd.testing.assert_frame_equal(out, expected)


def test_name_features_empty_series() -> None:
    out = name_features(pd.Series([], dtype=object))
    assert list(out.columns) == list(NAME_FEATURE_COLUMNS)
    assert len(out) == 0


def test_name_features_all_null() -> None:
    out = name_features(pd.Series([None, None], dtype=object))
    assert out["name_key"].tolist() == [None, None]
    assert out["is_business"].tolist() == [False, False]
    assert not any(isinstance(v, float) and math.isnan(v) for v in out["surname"])
