"""Synthetic consignees: people, households, businesses, their addresses, phones, PCCCs and e-mails, and how
each of them writes these details on a declaration.

Korean consignees carry romanised names at census surname frequencies (2015: Kim 21.5%, Lee 14.7%, Park 8.4%,
top 10 = 63.9%; domain.md §4 `[KoreaTimes-surnames]`), given names built from real syllables and written in
mixed styles (`KIM MINJUN`, `Kim Min-jun`, `Minjun Kim`, `김민준`), addresses in apartment complexes (`101동
1203호`, many households sharing street address and postcode) or houses and villas, 5-digit postcodes, `010`
mobiles and a PCCC (`P` + 12 digits). US consignees have varied names (including Hispanic and Asian-American
ones), street addresses with apartment units, ZIP codes and `+1` phones; forwarder customers share mailbox
addresses with 5-6 digit suite numbers.

The `Population` holds everything in columns (lists and arrays) so that hundreds of thousands of consignees
stay cheap; the `render_*` and `*_variant` functions turn one entry into text.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

from splitscan.synth.noise import strip_accents, typo
from splitscan.synth.tables import WeightedChoices, parse_weighted, read_table

__all__ = [
    "ENTITY_CLASSES",
    "KR_NAME_STYLES",
    "NameTables",
    "Population",
    "address_variant",
    "name_tables",
    "name_variant",
    "phone_variant",
    "render_address",
    "render_name",
    "render_phone",
    "sample_kr_surnames",
]

logger = logging.getLogger(__name__)

ENTITY_CLASSES: Final[tuple[str, ...]] = (
    "regular",
    "household_member",
    "forwarder_customer",
    "agent_buyer",
    "business",
)

# Person kinds.
KR_PERSON: Final = 0
WESTERN_PERSON: Final = 1  # US consignees and foreign residents of Korea
BUSINESS: Final = 2

# Building kinds.
KR_APT, KR_VILLA, KR_HOUSE, KR_OFFICE, US_APT, US_HOUSE, US_OFFICE, US_MAILBOX = range(8)

KR_NAME_STYLES: Final[tuple[str, ...]] = (
    "SUR GIVEN",  # KIM MINJUN
    "Sur Giv-en",  # Kim Min-jun
    "Given Sur",  # Minjun Kim
    "Sur Given",  # Kim Minjun
    "hangul",  # 김민준
    "GIVEN SUR",  # MINJUN KIM
    "Sur Giv En",  # Kim Min Jun
    "SUR GIV EN",  # KIM MIN JUN
    "hangul spaced",  # 김 민준
    "SUR, GIVEN",  # KIM, MINJUN
    "given sur",  # minjun kim
)
_KR_STYLE_WEIGHTS: Final = np.array([0.27, 0.14, 0.13, 0.12, 0.20, 0.05, 0.05, 0.04, 0.0, 0.0, 0.0])
US_NAME_STYLES: Final[tuple[str, ...]] = (
    "First Last",
    "FIRST LAST",
    "First M. Last",
    "Last, First",
    "first last",
    "LAST FIRST",
    "First M Last",
    "F. Last",
)
_US_STYLE_WEIGHTS: Final = np.array([0.50, 0.20, 0.10, 0.05, 0.04, 0.03, 0.08, 0.0])
BUSINESS_STYLES: Final = 4
KR_ADDRESS_STYLES: Final = 5
_KR_ADDRESS_WEIGHTS: Final = np.array([0.35, 0.20, 0.22, 0.13, 0.10])
US_ADDRESS_STYLES: Final = 4
_US_ADDRESS_WEIGHTS: Final = np.array([0.62, 0.25, 0.08, 0.05])
PHONE_FORMATS: Final = 8
_KR_PHONE_WEIGHTS: Final = np.array([0.45, 0.20, 0.12, 0.04, 0.06, 0.05, 0.05, 0.03])
_US_PHONE_WEIGHTS: Final = np.array([0.30, 0.30, 0.12, 0.10, 0.06, 0.05, 0.04, 0.03])

_KR_EMAIL_DOMAINS: Final = WeightedChoices(
    ("naver.com", "gmail.com", "daum.net", "hanmail.net", "kakao.com", "nate.com"),
    np.array([0.45, 0.30, 0.10, 0.08, 0.04, 0.03]),
)
_US_EMAIL_DOMAINS: Final = WeightedChoices(
    ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com", "comcast.net"),
    np.array([0.50, 0.15, 0.08, 0.08, 0.10, 0.04, 0.05]),
)
_SIDO_SHORT: Final[dict[str, str]] = {
    "서울특별시": "서울",
    "부산광역시": "부산",
    "대구광역시": "대구",
    "인천광역시": "인천",
    "광주광역시": "광주",
    "대전광역시": "대전",
    "울산광역시": "울산",
    "세종특별자치시": "세종",
    "경기도": "경기",
    "충청북도": "충북",
    "충청남도": "충남",
    "전라북도": "전북",
    "전라남도": "전남",
    "경상북도": "경북",
    "경상남도": "경남",
    "강원특별자치도": "강원",
    "제주특별자치도": "제주",
}
_KR_LANDLINE_AREA: Final[dict[str, str]] = {
    "Seoul": "02",
    "Busan": "051",
    "Daegu": "053",
    "Incheon": "032",
    "Gwangju": "062",
    "Daejeon": "042",
    "Ulsan": "052",
    "Sejong": "044",
    "Gyeonggi-do": "031",
    "Chungcheongbuk-do": "043",
    "Chungcheongnam-do": "041",
    "Jeollabuk-do": "063",
    "Jeollanam-do": "061",
    "Gyeongsangbuk-do": "054",
    "Gyeongsangnam-do": "055",
    "Gangwon-do": "033",
    "Jeju-do": "064",
}
_US_STREET_TYPES: Final[tuple[tuple[str, str], ...]] = (
    ("St", "Street"),
    ("Ave", "Avenue"),
    ("Rd", "Road"),
    ("Dr", "Drive"),
    ("Ln", "Lane"),
    ("Blvd", "Boulevard"),
    ("Ct", "Court"),
    ("Way", "Way"),
    ("Pl", "Place"),
    ("Ter", "Terrace"),
    ("Cir", "Circle"),
    ("Pkwy", "Parkway"),
)
_US_STREET_TYPE_WEIGHTS: Final = np.array([0.28, 0.2, 0.12, 0.12, 0.07, 0.05, 0.05, 0.04, 0.03, 0.02, 0.01, 0.01])
_US_DIRECTIONS: Final[tuple[tuple[str, str], ...]] = (
    ("N", "North"),
    ("S", "South"),
    ("E", "East"),
    ("W", "West"),
)
_US_UNIT_WORDS: Final[tuple[str, ...]] = ("Apt", "#", "Unit", "Apt.", "APT")
# Mailbox and parcel-forwarding hubs (fictional companies at typical locations: Miami/Doral for Latin America,
# Delaware and Oregon for sales-tax-free forwarding, border towns for Canadians; domain.md §4 `[MaxMind]`).
_US_MAILBOX_HUBS: Final[tuple[tuple[str, str, str, str, str, str, str], ...]] = (
    ("8256", "NW 30th", "Ter", "Doral", "FL", "33122", "305"),
    ("2010", "NW 84th", "Ave", "Doral", "FL", "33122", "305"),
    ("7850", "NW 25th", "St", "Miami", "FL", "33166", "786"),
    ("10400", "NW 33rd", "St", "Medley", "FL", "33172", "305"),
    ("1800", "NW 97th", "Ave", "Miami", "FL", "33172", "786"),
    ("100", "Lukens", "Dr", "New Castle", "DE", "19720", "302"),
    ("4 Mill", "Park", "Ct", "Newark", "DE", "19713", "302"),
    ("7400", "NE Columbia", "Blvd", "Portland", "OR", "97218", "503"),
    ("2100", "NE Cornell", "Rd", "Hillsboro", "OR", "97124", "971"),
    ("1685", "H", "St", "Blaine", "WA", "98230", "360"),
    ("245", "Marine", "Dr", "Blaine", "WA", "98230", "360"),
    ("9 Lake", "Shore", "Rd", "Champlain", "NY", "12919", "518"),
    ("5819", "Santa Maria", "Ave", "Laredo", "TX", "78041", "956"),
    ("1520", "W Expressway", "83", "McAllen", "TX", "78503", "956"),
)
_FOREIGN_CALLING: Final[tuple[tuple[str, int, int], ...]] = (
    ("58", 3, 7),  # Venezuela
    ("57", 3, 7),  # Colombia
    ("52", 2, 8),  # Mexico
    ("55", 2, 9),  # Brazil
    ("507", 4, 4),  # Panama
    ("593", 2, 7),  # Ecuador
    ("51", 3, 6),  # Peru
    ("1", 3, 7),  # Canada (NANP)
)
_KR_COMPANY_STEMS: Final[tuple[tuple[str, str], ...]] = (
    ("한빛", "Hanbit"),
    ("대한", "Daehan"),
    ("세종", "Sejong"),
    ("동방", "Dongbang"),
    ("미래", "Mirae"),
    ("하나", "Hana"),
    ("새한", "Saehan"),
    ("태양", "Taeyang"),
    ("오성", "Osung"),
    ("대원", "Daewon"),
    ("삼정", "Samjeong"),
    ("그린", "Green"),
    ("바른", "Bareun"),
    ("누리", "Nuri"),
    ("해든", "Haedeun"),
    ("청솔", "Cheongsol"),
    ("다온", "Daon"),
    ("유진", "Eugene"),
    ("성원", "Sungwon"),
    ("제일", "Jeil"),
)
_KR_COMPANY_TAILS: Final[tuple[tuple[str, str], ...]] = (
    ("무역", "Trading"),
    ("상사", "Corporation"),
    ("인터내셔널", "International"),
    ("코리아", "Korea"),
    ("글로벌", "Global"),
    ("유통", "Distribution"),
    ("테크", "Tech"),
    ("컴퍼니", "Company"),
)
_US_COMPANY_WORDS: Final[tuple[str, ...]] = (
    "Apex",
    "Summit",
    "Blue Ridge",
    "Pacific",
    "Liberty",
    "Evergreen",
    "Northstar",
    "Redwood",
    "Cedar",
    "Harbor",
    "Prairie",
    "Eagle",
    "Pioneer",
    "Sunrise",
    "Coastal",
    "Granite",
    "Maple",
    "Silverline",
    "Bright",
    "Keystone",
)
_US_COMPANY_NOUNS: Final[tuple[str, ...]] = (
    "Supply",
    "Trading",
    "Imports",
    "Distributors",
    "Goods",
    "Wholesale",
    "Outfitters",
    "Electronics",
    "Brands",
    "Enterprises",
)
_US_COMPANY_SUFFIX: Final[tuple[str, ...]] = ("LLC", "Inc.", "Co.", "Corp.")
_KR_OFFICE_NAMES: Final[tuple[tuple[str, str], ...]] = (
    ("에이스하이엔드타워", "Ace High-End Tower"),
    ("대륭테크노타운", "Daeryung Techno Town"),
    ("우림라이온스밸리", "Woolim Lions Valley"),
    ("SK V1타워", "SK V1 Tower"),
    ("벽산디지털밸리", "Byucksan Digital Valley"),
    ("한라시그마밸리", "Halla Sigma Valley"),
    ("현대지식산업센터", "Hyundai Knowledge Industry Center"),
    ("스타타워", "Star Tower"),
    ("제일빌딩", "Jeil Building"),
    ("동원빌딩", "Dongwon Building"),
    ("물류센터", "Logistics Center"),
    ("센트럴빌딩", "Central Building"),
)
_US_TAIL_STEMS: Final[tuple[str, ...]] = (
    "Ash",
    "Black",
    "Brad",
    "Brook",
    "Cald",
    "Carl",
    "Chat",
    "Craw",
    "Dal",
    "Dun",
    "Ell",
    "Fair",
    "Gold",
    "Green",
    "Hart",
    "Hol",
    "Kings",
    "Lang",
    "Lind",
    "Mar",
    "Mont",
    "Nor",
    "Pem",
    "Red",
    "Ren",
    "Ros",
    "Rut",
    "Shel",
    "Stan",
    "Stock",
    "Thorn",
    "Wake",
    "Wal",
    "West",
    "Whit",
    "Wins",
    "Wood",
    "Al",
    "Bar",
    "Bel",
    "Ber",
    "Cor",
    "Dor",
    "Ham",
)
_US_TAIL_SUFFIXES: Final[tuple[str, ...]] = (
    "ton",
    "ford",
    "ley",
    "well",
    "wood",
    "field",
    "man",
    "son",
    "er",
    "by",
    "more",
    "worth",
    "stead",
    "dale",
    "ridge",
    "berg",
    "stein",
    "ing",
    "wick",
    "combe",
)


@dataclass(frozen=True)
class NameTables:
    """Name, syllable and place tables in array form (see `name_tables`)."""

    kr_sur_ko: tuple[str, ...]
    kr_sur_probs: npt.NDArray[np.float64]
    kr_sur_rom: tuple[WeightedChoices, ...]
    kr_syll: dict[str, WeightedChoices]
    kr_given_ko: tuple[str, ...]
    kr_given_sex: npt.NDArray[np.str_]
    kr_given_w: npt.NDArray[np.float64]
    kr_dist: tuple[tuple[str, str, str, str, int, int], ...]
    kr_dist_w: npt.NDArray[np.float64]
    kr_roads: tuple[tuple[str, str], ...]
    kr_neigh: tuple[tuple[str, str], ...]
    kr_brands: tuple[tuple[str, str], ...]
    kr_brand_w: npt.NDArray[np.float64]
    us_sur: dict[str, tuple[tuple[str, ...], npt.NDArray[np.float64]]]
    us_given: dict[tuple[str, str], tuple[tuple[str, ...], npt.NDArray[np.float64]]]
    us_nick: dict[str, tuple[str, ...]]
    us_cities: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]
    us_city_w: npt.NDArray[np.float64]
    us_streets: tuple[str, ...]


def _norm(w: npt.ArrayLike) -> npt.NDArray[np.float64]:
    a = np.asarray(w, dtype=np.float64)
    return np.asarray(a / a.sum(), dtype=np.float64)


@cache
def name_tables() -> NameTables:
    """Load the hand-compiled name and place tables (cached)."""
    sur = read_table("kr_surnames.csv")
    share = sur["share_pct"].astype(float).to_numpy() / 100.0
    # The top 10 keep their census share (63.9% together); the rest of the population is spread over the
    # listed rarer surnames in proportion to their listed shares (the census has ~280 more, each well under
    # 0.05%).
    top = share[:10]
    tail = share[10:] * (1.0 - top.sum()) / share[10:].sum()
    syll = read_table("kr_syllables.csv")
    given = read_table("kr_given_names.csv")
    dist = read_table("kr_districts.csv")
    roads = read_table("kr_roads.csv")
    neigh = read_table("kr_neighbourhoods.csv")
    brands = read_table("kr_apartment_brands.csv")
    us_s = read_table("us_surnames.csv")
    us_g = read_table("us_given_names.csv")
    nick = read_table("us_nicknames.csv")
    cities = read_table("us_cities.csv")
    streets = read_table("us_streets.csv")
    us_sur: dict[str, tuple[tuple[str, ...], npt.NDArray[np.float64]]] = {}
    for grp in sorted(set(us_s["group"])):
        g = us_s[us_s["group"] == grp]
        us_sur[grp] = (tuple(g["surname"]), _norm(g["per_100k"].astype(float)))
    us_given: dict[tuple[str, str], tuple[tuple[str, ...], npt.NDArray[np.float64]]] = {}
    for grp, sex in sorted(set(zip(us_g["group"], us_g["sex"], strict=True))):
        g = us_g[(us_g["group"] == grp) & (us_g["sex"] == sex)]
        us_given[(grp, sex)] = (tuple(g["name"]), _norm(g["weight"].astype(float)))
    return NameTables(
        kr_sur_ko=tuple(sur["hangul"]),
        kr_sur_probs=_norm(np.concatenate([top, tail])),
        kr_sur_rom=tuple(parse_weighted(s) for s in sur["romanisations"]),
        kr_syll={h: parse_weighted(r) for h, r in zip(syll["hangul"], syll["romanisations"], strict=True)},
        kr_given_ko=tuple(given["hangul"]),
        kr_given_sex=given["sex"].to_numpy(dtype=str),
        kr_given_w=np.asarray(given["weight"].astype(float), dtype=np.float64),
        kr_dist=tuple(
            (a, b, c, d, int(e), int(f))
            for a, b, c, d, e, f in zip(
                dist["sido_ko"],
                dist["sido_en"],
                dist["sigungu_ko"],
                dist["sigungu_en"],
                dist["postcode_from"],
                dist["postcode_to"],
                strict=True,
            )
        ),
        kr_dist_w=_norm(dist["weight"].astype(float)),
        kr_roads=tuple(zip(roads["hangul"], roads["roman"], strict=True)),
        kr_neigh=tuple(zip(neigh["hangul"], neigh["roman"], strict=True)),
        kr_brands=tuple(zip(brands["hangul"], brands["roman"], strict=True)),
        kr_brand_w=_norm(brands["weight"].astype(float)),
        us_sur=us_sur,
        us_given=us_given,
        us_nick={n: tuple(v.split("|")) for n, v in zip(nick["name"], nick["nicknames"], strict=True)},
        us_cities=tuple(
            (c, s, tuple(z.split("|")), tuple(a.split("|")))
            for c, s, z, a in zip(cities["city"], cities["state"], cities["zip3"], cities["area_codes"], strict=True)
        ),
        us_city_w=_norm(cities["weight"].astype(float)),
        us_streets=tuple(streets["name"]),
    )


def sample_kr_surnames(rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
    """Indices into `name_tables().kr_sur_ko` drawn at census frequencies."""
    t = name_tables()
    return np.asarray(rng.choice(len(t.kr_sur_ko), size=n, p=t.kr_sur_probs), dtype=np.int64)


def _unique_ints(rng: np.random.Generator, n: int, low: int, high: int, used: set[int]) -> list[int]:
    """`n` distinct integers in [low, high) not in `used` (which is updated)."""
    out: list[int] = []
    while len(out) < n:
        cand = rng.integers(low, high, size=(n - len(out)) * 2 + 8)
        for v in cand.tolist():
            if v not in used:
                used.add(v)
                out.append(v)
                if len(out) == n:
                    break
    return out


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


@dataclass
class Population:
    """All consignee identities, addresses and phones of one generation run, stored by column.

    Persons, addresses and phones are referred to by their integer index. Scheme injection appends new entries
    (relatives, drop addresses, second phones) after the bulk population is built.
    """

    # persons
    p_jur: list[str] = field(default_factory=list)
    p_kind: list[int] = field(default_factory=list)
    p_sex: list[str] = field(default_factory=list)
    p_sur_idx: list[int] = field(default_factory=list)  # KR surname index, -1 otherwise
    p_sur_ko: list[str] = field(default_factory=list)
    p_given_ko: list[str] = field(default_factory=list)
    p_sur: list[str] = field(default_factory=list)  # romanised surname as the person writes it / US last name
    p_given: list[tuple[str, ...]] = field(default_factory=list)  # KR syllable romanisations / (US first name,)
    p_middle: list[str] = field(default_factory=list)
    p_sur2: list[str] = field(default_factory=list)  # second surname (Hispanic), written by habit or not
    p_sur2_habit: list[bool] = field(default_factory=list)
    p_accents: list[bool] = field(default_factory=list)
    p_company: list[tuple[str, str]] = field(default_factory=list)  # business: (native, English)
    p_name_style: list[int] = field(default_factory=list)
    p_addr_style: list[int] = field(default_factory=list)
    p_phone_fmt: list[int] = field(default_factory=list)
    p_home: list[int] = field(default_factory=list)
    p_mobile: list[int] = field(default_factory=list)
    p_house_phone: list[int] = field(default_factory=list)  # household phone index, -1 if none
    p_alt_addr: list[int] = field(default_factory=list)  # second delivery address (work, family), -1 if none
    p_customs_id: list[str] = field(default_factory=list)  # PCCC (KR), business number, EIN, or ""
    p_email: list[str] = field(default_factory=list)
    p_household: list[int] = field(default_factory=list)
    p_class: list[str] = field(default_factory=list)
    # buildings
    b_kind: list[int] = field(default_factory=list)
    b_place: list[int] = field(default_factory=list)  # KR district / US city index; US mailbox hub index
    b_road: list[int] = field(default_factory=list)  # KR road / US street index
    b_num: list[str] = field(default_factory=list)
    b_gil: list[int] = field(default_factory=list)
    b_neigh: list[int] = field(default_factory=list)
    b_jibun: list[str] = field(default_factory=list)
    b_name: list[tuple[str, str]] = field(default_factory=list)  # complex / office name (Hangul, roman) or ("", "")
    b_postcode: list[str] = field(default_factory=list)
    b_zip4: list[str] = field(default_factory=list)
    b_dir: list[int] = field(default_factory=list)  # US directional prefix index, -1 none
    b_type: list[int] = field(default_factory=list)  # US street type index
    # addresses (a unit in a building)
    a_building: list[int] = field(default_factory=list)
    a_dong: list[int] = field(default_factory=list)  # KR apartment block (101..), 0 none
    a_unit: list[str] = field(default_factory=list)  # KR ho / floor-room, US apt or suite, "" none
    # phones
    ph_cc: list[str] = field(default_factory=list)
    ph_parts: list[tuple[str, ...]] = field(default_factory=list)
    ph_mobile: list[bool] = field(default_factory=list)
    # uniqueness registries
    _used_phone: set[int] = field(default_factory=set)
    _used_pccc: set[int] = field(default_factory=set)
    _used_email: set[str] = field(default_factory=set)
    _used_suite: set[int] = field(default_factory=set)
    _used_tax: set[int] = field(default_factory=set)
    _hub_phones: list[int] = field(default_factory=list)
    n_households: int = 0

    # ------------------------------------------------------------------ sizes
    @property
    def n_persons(self) -> int:
        """Number of persons (including businesses)."""
        return len(self.p_jur)

    def new_household_ids(self, n: int) -> npt.NDArray[np.int64]:
        """Reserve `n` new household ids."""
        start = self.n_households
        self.n_households += n
        return np.arange(start, start + n, dtype=np.int64)

    # ------------------------------------------------------------------ phones
    def new_kr_mobiles(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
        """`n` distinct Korean mobile numbers `010-XXXX-XXXX`."""
        start = len(self.ph_cc)
        for v in _unique_ints(rng, n, 10_000_000 + 20_000_000, 100_000_000, self._used_phone):
            s = f"{v - 10_000_000:08d}"
            self.ph_cc.append("82")
            self.ph_parts.append(("010", s[:4], s[4:]))
            self.ph_mobile.append(True)
        return np.arange(start, start + n, dtype=np.int64)

    def new_kr_landlines(self, rng: np.random.Generator, districts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """One landline per entry of `districts`, with that district's area code."""
        t = name_tables()
        start = len(self.ph_cc)
        values = _unique_ints(rng, len(districts), 200_000_000_000, 300_000_000_000, self._used_phone)
        for d, v in zip(districts.tolist(), values, strict=True):
            area = _KR_LANDLINE_AREA.get(t.kr_dist[d][1], "02")
            s = f"{v % 100_000_000:08d}"
            mid = s[:4] if area == "02" or v % 3 else s[1:4]
            self.ph_cc.append("82")
            self.ph_parts.append((area, mid, s[4:]))
            self.ph_mobile.append(False)
        return np.arange(start, start + len(districts), dtype=np.int64)

    def new_us_phones(self, rng: np.random.Generator, cities: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """One US number per entry of `cities`, with one of that city's area codes."""
        t = name_tables()
        start = len(self.ph_cc)
        values = _unique_ints(rng, len(cities), 300_000_000_000, 400_000_000_000, self._used_phone)
        for c, v in zip(cities.tolist(), values, strict=True):
            codes = t.us_cities[c][3]
            area = codes[v % len(codes)]
            exch = 200 + (v // 10_000) % 800
            if exch % 100 == 11:  # N11 codes are service numbers
                exch += 1
            self.ph_cc.append("1")
            self.ph_parts.append((area, f"{exch:03d}", f"{v % 10_000:04d}"))
            self.ph_mobile.append(True)
        return np.arange(start, start + len(cities), dtype=np.int64)

    def new_foreign_phones(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
        """`n` Latin American or Canadian numbers (forwarder customers living abroad)."""
        start = len(self.ph_cc)
        values = _unique_ints(rng, n, 400_000_000_000, 500_000_000_000, self._used_phone)
        for v in values:
            cc, a, b = _FOREIGN_CALLING[v % len(_FOREIGN_CALLING)]
            digits = f"{v:012d}"[-(a + b) :]
            if digits[0] == "0":
                digits = "3" + digits[1:]
            self.ph_cc.append(cc)
            self.ph_parts.append((digits[:a], digits[a:]))
            self.ph_mobile.append(True)
        return np.arange(start, start + n, dtype=np.int64)

    # ------------------------------------------------------------------ buildings and addresses
    def _add_building(
        self,
        kind: int,
        place: int,
        road: int,
        num: str,
        *,
        gil: int = 0,
        neigh: int = -1,
        jibun: str = "",
        name: tuple[str, str] = ("", ""),
        postcode: str = "",
        zip4: str = "",
        direction: int = -1,
        st_type: int = 0,
    ) -> int:
        self.b_kind.append(kind)
        self.b_place.append(place)
        self.b_road.append(road)
        self.b_num.append(num)
        self.b_gil.append(gil)
        self.b_neigh.append(neigh)
        self.b_jibun.append(jibun)
        self.b_name.append(name)
        self.b_postcode.append(postcode)
        self.b_zip4.append(zip4)
        self.b_dir.append(direction)
        self.b_type.append(st_type)
        return len(self.b_kind) - 1

    def _add_address(self, building: int, dong: int, unit: str) -> int:
        self.a_building.append(building)
        self.a_dong.append(dong)
        self.a_unit.append(unit)
        return len(self.a_building) - 1

    def new_kr_buildings(self, rng: np.random.Generator, n: int, kind: int) -> list[int]:
        """`n` Korean buildings of one kind (apartment complex, villa, house or office)."""
        t = name_tables()
        dist = rng.choice(len(t.kr_dist), size=n, p=t.kr_dist_w)
        roads = rng.integers(0, len(t.kr_roads), size=n)
        nums = rng.integers(1, 400, size=n)
        subs = np.where(rng.random(n) < 0.3, rng.integers(1, 60, size=n), 0)
        gils = np.where(rng.random(n) < (0.15 if kind == KR_APT else 0.6), rng.integers(1, 80, size=n), 0)
        neigh = rng.integers(0, len(t.kr_neigh), size=n)
        jib_main = rng.integers(1, 1800, size=n)
        jib_sub = np.where(rng.random(n) < 0.6, rng.integers(1, 90, size=n), 0)
        brands = rng.choice(len(t.kr_brands), size=n, p=t.kr_brand_w)
        ordinal = rng.integers(0, 9, size=n)
        offices = rng.integers(0, len(_KR_OFFICE_NAMES), size=n)
        u = rng.random(n)
        out: list[int] = []
        for i in range(n):
            d = int(dist[i])
            lo, hi = t.kr_dist[d][4], t.kr_dist[d][5]
            postcode = f"{lo + int(u[i] * (hi - lo + 1)):05d}"
            num = f"{nums[i]}-{subs[i]}" if subs[i] else str(nums[i])
            jibun = f"{jib_main[i]}-{jib_sub[i]}" if jib_sub[i] else str(jib_main[i])
            name: tuple[str, str] = ("", "")
            if kind == KR_APT:
                ko, en = t.kr_brands[int(brands[i])]
                o = int(ordinal[i])
                if o in (1, 2, 3):
                    ko, en = f"{ko} {o + 1}차", f"{en} {o + 1}"
                elif o in (4, 5):
                    ko, en = f"{ko}{o + 1}단지", f"{en} Complex {o + 1}"
                elif o == 6:
                    nk, ne = t.kr_neigh[int(neigh[i])]
                    ko, en = f"{nk[:-1]}{ko}", f"{ne.split('-')[0]} {en}"
                name = (ko, en)
            elif kind == KR_OFFICE:
                name = _KR_OFFICE_NAMES[int(offices[i])]
            out.append(
                self._add_building(
                    kind,
                    d,
                    int(roads[i]),
                    num,
                    gil=int(gils[i]),
                    neigh=int(neigh[i]),
                    jibun=jibun,
                    name=name,
                    postcode=postcode,
                )
            )
        return out

    def new_kr_apartment_units(
        self, rng: np.random.Generator, complexes: list[int], n_units: npt.NDArray[np.int64]
    ) -> list[int]:
        """Distinct `동/호` units: `n_units[k]` of them in complex `complexes[k]`."""
        out: list[int] = []
        for b, k in zip(complexes, n_units.tolist(), strict=True):
            n_dong = int(rng.integers(3, 16))
            n_floor = int(rng.integers(8, 31))
            n_line = int(rng.integers(2, 5))
            space = n_dong * n_floor * n_line
            picks = rng.choice(space, size=min(k, space), replace=False)
            for p in picks.tolist():
                dong = 101 + p // (n_floor * n_line)
                floor = 1 + (p // n_line) % n_floor
                line = 1 + p % n_line
                out.append(self._add_address(b, dong, str(floor * 100 + line)))
        return out

    def new_kr_home_addresses(self, rng: np.random.Generator, n: int) -> list[int]:
        """`n` Korean household addresses: ~65% apartment units (about 25 households per complex in the data),
        ~25% villa units and ~10% detached houses."""
        kinds = rng.choice(3, size=n, p=[0.65, 0.25, 0.10])
        n_apt = int((kinds == 0).sum())
        n_complex = max(1, n_apt // 25)
        complexes = self.new_kr_buildings(rng, n_complex, KR_APT)
        per = np.bincount(rng.integers(0, n_complex, size=n_apt), minlength=n_complex).astype(np.int64)
        apt_units = self.new_kr_apartment_units(rng, complexes, per)
        rng.shuffle(apt_units)
        villas = self.new_kr_buildings(rng, int((kinds == 1).sum()), KR_VILLA)
        houses = self.new_kr_buildings(rng, int((kinds == 2).sum()), KR_HOUSE)
        villa_units = [
            self._add_address(b, 0, f"{int(f)}0{int(u)}")
            for b, f, u in zip(
                villas,
                rng.integers(1, 6, size=len(villas)),
                rng.integers(1, 5, size=len(villas)),
                strict=True,
            )
        ]
        house_units = [self._add_address(b, 0, "") for b in houses]
        out: list[int] = []
        ia = iv = ih = 0
        for k in kinds.tolist():
            if k == 0:
                out.append(apt_units[ia])
                ia += 1
            elif k == 1:
                out.append(villa_units[iv])
                iv += 1
            else:
                out.append(house_units[ih])
                ih += 1
        return out

    def new_kr_office_addresses(self, rng: np.random.Generator, n: int) -> list[int]:
        """`n` Korean office units (`5층 501호` in a commercial building)."""
        buildings = self.new_kr_buildings(rng, n, KR_OFFICE)
        floors = rng.integers(1, 16, size=n)
        rooms = rng.integers(1, 20, size=n)
        return [
            self._add_address(b, 0, f"{f}층 {f}{r:02d}호")
            for b, f, r in zip(buildings, floors.tolist(), rooms.tolist(), strict=True)
        ]

    def new_us_buildings(self, rng: np.random.Generator, n: int, kind: int) -> list[int]:
        """`n` US buildings (apartment building, house or office)."""
        t = name_tables()
        cities = rng.choice(len(t.us_cities), size=n, p=t.us_city_w)
        streets = rng.integers(0, len(t.us_streets), size=n)
        nums = np.where(rng.random(n) < 0.7, rng.integers(100, 9999, size=n), rng.integers(10000, 25000, size=n))
        dirs = np.where(rng.random(n) < 0.18, rng.integers(0, 4, size=n), -1)
        types = rng.choice(len(_US_STREET_TYPES), size=n, p=_norm(_US_STREET_TYPE_WEIGHTS))
        zips = rng.integers(0, 100, size=n)
        zip4 = rng.integers(1, 10000, size=n)
        out: list[int] = []
        for i in range(n):
            c = int(cities[i])
            z3s = t.us_cities[c][2]
            z3 = z3s[int(zips[i]) % len(z3s)]
            out.append(
                self._add_building(
                    kind,
                    c,
                    int(streets[i]),
                    str(int(nums[i])),
                    postcode=f"{z3}{int(zips[i]):02d}",
                    zip4=f"{int(zip4[i]):04d}",
                    direction=int(dirs[i]),
                    st_type=int(types[i]),
                )
            )
        return out

    def new_us_home_addresses(self, rng: np.random.Generator, n: int) -> list[int]:
        """`n` US household addresses: ~45% apartments (about 8 households per building), the rest houses."""
        is_apt = rng.random(n) < 0.45
        n_apt = int(is_apt.sum())
        n_bld = max(1, n_apt // 8)
        blds = self.new_us_buildings(rng, n_bld, US_APT)
        houses = self.new_us_buildings(rng, n - n_apt, US_HOUSE)
        which = rng.integers(0, n_bld, size=n_apt)
        style = rng.integers(0, 3, size=n_apt)
        floors = rng.integers(1, 12, size=n_apt)
        letters = rng.integers(0, 8, size=n_apt)
        used: set[tuple[int, str]] = set()
        apt_units: list[int] = []
        for b, s, f, letter in zip(which.tolist(), style.tolist(), floors.tolist(), letters.tolist(), strict=True):
            base = (
                f"{f}{'ABCDEFGH'[letter]}" if s == 0 else (f"{f}{letter + 1:02d}" if s == 1 else str(f * 10 + letter))
            )
            unit, k = base, 0
            while (b, unit) in used:
                k += 1
                unit = f"{base}-{k}"
            used.add((b, unit))
            apt_units.append(self._add_address(blds[b], 0, unit))
        house_units = [self._add_address(b, 0, "") for b in houses]
        out: list[int] = []
        ia = ih = 0
        for a in is_apt.tolist():
            if a:
                out.append(apt_units[ia])
                ia += 1
            else:
                out.append(house_units[ih])
                ih += 1
        return out

    def new_us_office_addresses(self, rng: np.random.Generator, n: int) -> list[int]:
        """`n` US office suites."""
        blds = self.new_us_buildings(rng, n, US_OFFICE)
        suites = rng.integers(1, 30, size=n) * 100 + rng.integers(0, 20, size=n)
        return [self._add_address(b, 0, str(s)) for b, s in zip(blds, suites.tolist(), strict=True)]

    def mailbox_hubs(self) -> list[int]:
        """Building indices of the US mailbox hubs (created on first use)."""
        existing = [i for i, k in enumerate(self.b_kind) if k == US_MAILBOX]
        if existing:
            return existing
        return [
            self._add_building(US_MAILBOX, h, -1, hub[0], postcode=hub[5]) for h, hub in enumerate(_US_MAILBOX_HUBS)
        ]

    def new_mailbox_addresses(self, rng: np.random.Generator, hubs: npt.NDArray[np.int64]) -> list[int]:
        """One suite (5-6 digits, unique across hubs) per entry of `hubs` (indices into `mailbox_hubs()`)."""
        buildings = self.mailbox_hubs()
        suites = _unique_ints(rng, len(hubs), 10_000, 400_000, self._used_suite)
        return [self._add_address(buildings[h], 0, str(s)) for h, s in zip(hubs.tolist(), suites, strict=True)]

    def hub_phones(self, rng: np.random.Generator) -> list[int]:
        """One shared phone per mailbox hub (created on first use, cached on the instance)."""
        if not self._hub_phones:
            start = len(self.ph_cc)
            vals = _unique_ints(rng, len(_US_MAILBOX_HUBS), 500_000_000_000, 510_000_000_000, self._used_phone)
            for hub, v in zip(_US_MAILBOX_HUBS, vals, strict=True):
                self.ph_cc.append("1")
                self.ph_parts.append((hub[6], f"{200 + v % 700:03d}", f"{v // 1000 % 10000:04d}"))
                self.ph_mobile.append(False)
            self._hub_phones = list(range(start, start + len(_US_MAILBOX_HUBS)))
        return self._hub_phones

    # ------------------------------------------------------------------ persons
    def _pccc(self, rng: np.random.Generator, n: int) -> list[str]:
        return [f"P{v:012d}" for v in _unique_ints(rng, n, 10**11, 10**12, self._used_pccc)]

    def _email(self, local: str, domain: str, rng: np.random.Generator) -> str:
        base = "".join(ch for ch in strip_accents(local).lower() if ch.isascii() and (ch.isalnum() or ch in "._"))
        base = base.strip("._") or "user"
        cand = f"{base}@{domain}"
        while cand in self._used_email:
            cand = f"{base}{int(rng.integers(1, 10_000))}@{domain}"
        self._used_email.add(cand)
        return cand

    def _append_person(
        self,
        *,
        jur: str,
        kind: int,
        sex: str,
        sur_idx: int,
        sur_ko: str,
        given_ko: str,
        sur: str,
        given: tuple[str, ...],
        middle: str,
        sur2: str,
        sur2_habit: bool,
        accents: bool,
        company: tuple[str, str],
        name_style: int,
        addr_style: int,
        phone_fmt: int,
        home: int,
        mobile: int,
        house_phone: int,
        customs_id: str,
        email: str,
        household: int,
        entity_class: str,
    ) -> int:
        self.p_jur.append(jur)
        self.p_kind.append(kind)
        self.p_sex.append(sex)
        self.p_sur_idx.append(sur_idx)
        self.p_sur_ko.append(sur_ko)
        self.p_given_ko.append(given_ko)
        self.p_sur.append(sur)
        self.p_given.append(given)
        self.p_middle.append(middle)
        self.p_sur2.append(sur2)
        self.p_sur2_habit.append(sur2_habit)
        self.p_accents.append(accents)
        self.p_company.append(company)
        self.p_name_style.append(name_style)
        self.p_addr_style.append(addr_style)
        self.p_phone_fmt.append(phone_fmt)
        self.p_home.append(home)
        self.p_mobile.append(mobile)
        self.p_house_phone.append(house_phone)
        self.p_alt_addr.append(-1)
        self.p_customs_id.append(customs_id)
        self.p_email.append(email)
        self.p_household.append(household)
        self.p_class.append(entity_class)
        return len(self.p_jur) - 1

    def new_kr_persons(
        self,
        rng: np.random.Generator,
        *,
        homes: list[int],
        households: npt.NDArray[np.int64],
        entity_class: str,
        surnames: npt.NDArray[np.int64] | None = None,
        house_phones: npt.NDArray[np.int64] | None = None,
        email_rate: float = 0.45,
    ) -> list[int]:
        """Korean individuals, one per entry of `homes`.

        Args:
            rng: random generator.
            homes: home address of each person.
            households: household id of each person.
            entity_class: truth class of every new person.
            surnames: surname index per person (-1 = draw at census frequency); None draws all.
            house_phones: household phone per person (-1 none).
            email_rate: share of persons with an e-mail address.
        """
        t = name_tables()
        n = len(homes)
        if n == 0:
            return []
        sur = sample_kr_surnames(rng, n)
        if surnames is not None:
            sur = np.where(surnames >= 0, surnames, sur)
        sex = np.where(rng.random(n) < 0.5, "F", "M")
        w_f = np.where(t.kr_given_sex == "F", t.kr_given_w, 0.0)
        w_m = np.where(t.kr_given_sex == "M", t.kr_given_w, 0.0)
        g_f = rng.choice(len(w_f), size=n, p=_norm(w_f))
        g_m = rng.choice(len(w_m), size=n, p=_norm(w_m))
        given = np.where(sex == "F", g_f, g_m)
        styles = rng.choice(len(KR_NAME_STYLES), size=n, p=_norm(_KR_STYLE_WEIGHTS))
        astyles = rng.choice(KR_ADDRESS_STYLES, size=n, p=_norm(_KR_ADDRESS_WEIGHTS))
        pfmt = rng.choice(PHONE_FORMATS, size=n, p=_norm(_KR_PHONE_WEIGHTS))
        mobiles = self.new_kr_mobiles(rng, n)
        pcccs = self._pccc(rng, n)
        has_email = rng.random(n) < email_rate
        domains = rng.choice(len(_KR_EMAIL_DOMAINS.values), size=n, p=_KR_EMAIL_DOMAINS.probs)
        digits = rng.integers(0, 100, size=n)
        u = rng.random((n, 4))
        out: list[int] = []
        for i in range(n):
            si = int(sur[i])
            rom = t.kr_sur_rom[si]
            sur_rom = rom.values[int(np.searchsorted(np.cumsum(rom.probs), u[i, 0] * 0.999999))]
            gko = t.kr_given_ko[int(given[i])]
            syl = []
            for k, ch in enumerate(gko):
                opts = t.kr_syll[ch]
                syl.append(opts.values[int(np.searchsorted(np.cumsum(opts.probs), u[i, 1 + k] * 0.999999))])
            email = ""
            if has_email[i]:
                local = f"{''.join(syl)}{sur_rom}{int(digits[i]):02d}" if digits[i] % 2 else f"{sur_rom}.{''.join(syl)}"
                email = self._email(local, _KR_EMAIL_DOMAINS.values[int(domains[i])], rng)
            out.append(
                self._append_person(
                    jur="KR",
                    kind=KR_PERSON,
                    sex=str(sex[i]),
                    sur_idx=si,
                    sur_ko=t.kr_sur_ko[si],
                    given_ko=gko,
                    sur=sur_rom,
                    given=tuple(syl),
                    middle="",
                    sur2="",
                    sur2_habit=False,
                    accents=False,
                    company=("", ""),
                    name_style=int(styles[i]),
                    addr_style=int(astyles[i]),
                    phone_fmt=int(pfmt[i]),
                    home=homes[i],
                    mobile=int(mobiles[i]),
                    house_phone=-1 if house_phones is None else int(house_phones[i]),
                    customs_id=pcccs[i],
                    email=email,
                    household=int(households[i]),
                    entity_class=entity_class,
                )
            )
        return out

    def new_western_persons(
        self,
        rng: np.random.Generator,
        *,
        jur: str,
        homes: list[int],
        households: npt.NDArray[np.int64],
        entity_class: str,
        group_probs: tuple[float, float, float] = (0.62, 0.22, 0.16),
        surnames: list[str] | None = None,
        phones: npt.NDArray[np.int64] | None = None,
        house_phones: npt.NDArray[np.int64] | None = None,
        email_rate: float = 0.55,
    ) -> list[int]:
        """US consignees (or foreign residents of Korea when `jur == "KR"`), one per entry of `homes`.

        Args:
            rng: random generator.
            jur: jurisdiction the person imports into.
            homes: home (or mailbox) address per person.
            households: household id per person.
            entity_class: truth class of every new person.
            group_probs: shares of general, Hispanic and Asian-American names.
            surnames: surname per person ("" = draw); None draws all.
            phones: own phone per person; None creates one (US number from the home city, or Korean mobile).
            house_phones: household phone per person (-1 none).
            email_rate: share of persons with an e-mail address.
        """
        t = name_tables()
        n = len(homes)
        if n == 0:
            return []
        groups = rng.choice(3, size=n, p=_norm(group_probs))
        sex = np.where(rng.random(n) < 0.5, "F", "M")
        styles = rng.choice(len(US_NAME_STYLES), size=n, p=_norm(_US_STYLE_WEIGHTS))
        astyles = rng.choice(US_ADDRESS_STYLES, size=n, p=_norm(_US_ADDRESS_WEIGHTS))
        pfmt = rng.choice(PHONE_FORMATS, size=n, p=_norm(_US_PHONE_WEIGHTS if jur == "US" else _KR_PHONE_WEIGHTS))
        if phones is None:
            if jur == "US":
                cities = np.asarray(
                    [
                        self.b_place[self.a_building[h]] if self.b_kind[self.a_building[h]] != US_MAILBOX else 0
                        for h in homes
                    ],
                    dtype=np.int64,
                )
                phones = self.new_us_phones(rng, cities)
            else:
                phones = self.new_kr_mobiles(rng, n)
        pcccs = self._pccc(rng, n) if jur == "KR" else [""] * n
        has_email = rng.random(n) < email_rate
        domains = rng.choice(len(_US_EMAIL_DOMAINS.values), size=n, p=_US_EMAIL_DOMAINS.probs)
        u = rng.random((n, 6))
        group_names = ("general", "hispanic", "asian")
        out: list[int] = []
        for i in range(n):
            grp = group_names[int(groups[i])]
            sx = str(sex[i])
            s_names, s_p = t.us_sur[grp]
            if surnames is not None and surnames[i]:
                last = surnames[i]
            elif grp == "general" and u[i, 0] < 0.3:
                # long tail of rarer surnames, composed from common English stems and endings
                last = (
                    _US_TAIL_STEMS[int(u[i, 1] * len(_US_TAIL_STEMS))]
                    + _US_TAIL_SUFFIXES[int(u[i, 2] * len(_US_TAIL_SUFFIXES))]
                )
            else:
                last = s_names[int(np.searchsorted(np.cumsum(s_p), u[i, 1] * 0.999999))]
            g_grp = grp if not (grp == "asian" and u[i, 3] < 0.5) else "general"
            g_names, g_p = t.us_given[(g_grp, sx)]
            first = g_names[int(np.searchsorted(np.cumsum(g_p), u[i, 4] * 0.999999))]
            middle = "ABCDEFGHJKLMNPRSTW"[int(u[i, 5] * 18)] if u[i, 5] < 0.6 else ""
            sur2 = ""
            if grp == "hispanic" and u[i, 2] < 0.35:
                sur2 = s_names[int(np.searchsorted(np.cumsum(s_p), u[i, 3] * 0.999999))]
            email = ""
            if has_email[i]:
                local = f"{first}.{last}" if u[i, 0] < 0.5 else f"{first[0]}{last}{int(u[i, 4] * 90) + 10}"
                email = self._email(local, _US_EMAIL_DOMAINS.values[int(domains[i])], rng)
            out.append(
                self._append_person(
                    jur=jur,
                    kind=WESTERN_PERSON,
                    sex=sx,
                    sur_idx=-1,
                    sur_ko="",
                    given_ko="",
                    sur=last,
                    given=(first,),
                    middle=middle,
                    sur2=sur2,
                    sur2_habit=bool(sur2) and u[i, 5] < 0.5,
                    accents=u[i, 0] < 0.45,
                    company=("", ""),
                    name_style=int(styles[i]),
                    addr_style=int(astyles[i]),
                    phone_fmt=int(pfmt[i]),
                    home=homes[i],
                    mobile=int(phones[i]),
                    house_phone=-1 if house_phones is None else int(house_phones[i]),
                    customs_id=pcccs[i],
                    email=email,
                    household=int(households[i]),
                    entity_class=entity_class,
                )
            )
        return out

    def new_businesses(self, rng: np.random.Generator, jur: str, n: int) -> list[int]:
        """`n` business importers with an office address, a landline and a business number (KR: 사업자등록번호
        `123-45-67890`; US: EIN `12-3456789`, given on ~60% of records)."""
        if n == 0:
            return []
        households = self.new_household_ids(n)
        if jur == "KR":
            homes = self.new_kr_office_addresses(rng, n)
            phones = self.new_kr_landlines(
                rng, np.asarray([self.b_place[self.a_building[h]] for h in homes], dtype=np.int64)
            )
        else:
            homes = self.new_us_office_addresses(rng, n)
            phones = self.new_us_phones(
                rng, np.asarray([self.b_place[self.a_building[h]] for h in homes], dtype=np.int64)
            )
        tax = _unique_ints(rng, n, 100_000_000, 1_000_000_000, self._used_tax)
        styles = rng.integers(0, BUSINESS_STYLES, size=n)
        astyles = rng.integers(0, 3, size=n)
        u = rng.integers(0, 1_000_000, size=(n, 3))
        out: list[int] = []
        for i in range(n):
            if jur == "KR":
                stem = _KR_COMPANY_STEMS[int(u[i, 0]) % len(_KR_COMPANY_STEMS)]
                tail = _KR_COMPANY_TAILS[int(u[i, 1]) % len(_KR_COMPANY_TAILS)]
                company = (f"{stem[0]}{tail[0]}", f"{stem[1]} {tail[1]}")
                t10 = f"{tax[i] % 10**10:010d}"
                cid = f"{t10[:3]}-{t10[3:5]}-{t10[5:]}"
                email = self._email(f"{stem[1]}{tail[1]}", "gmail.com" if u[i, 2] % 2 else "naver.com", rng)
            else:
                word = _US_COMPANY_WORDS[int(u[i, 0]) % len(_US_COMPANY_WORDS)]
                noun = _US_COMPANY_NOUNS[int(u[i, 1]) % len(_US_COMPANY_NOUNS)]
                suffix = _US_COMPANY_SUFFIX[int(u[i, 2]) % len(_US_COMPANY_SUFFIX)]
                company = (f"{word} {noun} {suffix}", f"{word} {noun} {suffix}")
                cid = f"{tax[i] // 10_000_000 % 90 + 10:02d}-{tax[i] % 10_000_000:07d}"
                email = self._email(f"orders.{word}{noun}", "gmail.com" if u[i, 2] % 3 else "outlook.com", rng)
            out.append(
                self._append_person(
                    jur=jur,
                    kind=BUSINESS,
                    sex="",
                    sur_idx=-1,
                    sur_ko="",
                    given_ko="",
                    sur="",
                    given=(),
                    middle="",
                    sur2="",
                    sur2_habit=False,
                    accents=False,
                    company=company,
                    name_style=int(styles[i]),
                    addr_style=int(astyles[i]),
                    phone_fmt=int(rng.integers(0, 2)),
                    home=homes[i],
                    mobile=int(phones[i]),
                    house_phone=-1,
                    customs_id=cid,
                    email=email,
                    household=int(households[i]),
                    entity_class="business",
                )
            )
        return out


# ---------------------------------------------------------------------- rendering: names


def _kr_given_forms(syl: tuple[str, ...]) -> tuple[str, str, str]:
    joined = _cap("".join(syl))
    hyph = _cap("-".join(syl))
    spaced = " ".join(_cap(s) for s in syl)
    return joined, hyph, spaced


def _render_kr(sur: str, syl: tuple[str, ...], sur_ko: str, given_ko: str, style: int) -> str:
    joined, hyph, spaced = _kr_given_forms(syl)
    if style == 0:
        return f"{sur.upper()} {joined.upper()}"
    if style == 1:
        return f"{sur} {hyph}"
    if style == 2:
        return f"{joined} {sur}"
    if style == 3:
        return f"{sur} {joined}"
    if style == 4:
        return f"{sur_ko}{given_ko}"
    if style == 5:
        return f"{joined.upper()} {sur.upper()}"
    if style == 6:
        return f"{sur} {spaced}"
    if style == 7:
        return f"{sur.upper()} {spaced.upper()}"
    if style == 8:
        return f"{sur_ko} {given_ko}"
    if style == 9:
        return f"{sur.upper()}, {joined.upper()}"
    return f"{joined.lower()} {sur.lower()}"


def _render_us(first: str, middle: str, last: str, style: int, accents: bool) -> str:
    if not accents:
        first, last = strip_accents(first), strip_accents(last)
    if style == 0:
        return f"{first} {last}"
    if style == 1:
        return f"{first} {last}".upper()
    if style == 2:
        return f"{first} {middle}. {last}" if middle else f"{first} {last}"
    if style == 3:
        return f"{last}, {first}"
    if style == 4:
        return f"{first} {last}".lower()
    if style == 5:
        return f"{last} {first}".upper()
    if style == 6:
        return f"{first} {middle} {last}" if middle else f"{first} {last}"
    return f"{first[0]}. {last}"


def _render_business(company: tuple[str, str], jur: str, style: int) -> str:
    native, english = company
    if jur == "KR":
        if style == 0:
            return f"(주){native}"
        if style == 1:
            return f"주식회사 {native}"
        if style == 2:
            return f"{english} Co., Ltd."
        return f"{english.upper()} CO LTD"
    if style == 0:
        return english
    if style == 1:
        return english.upper().replace(".", "")
    if style == 2:
        return english.replace(" LLC", ", LLC").replace(" Inc.", ", Inc.")
    return english.rsplit(" ", 1)[0]


def render_name(pop: Population, pid: int, style: int | None = None) -> str:
    """The consignee name of person `pid`, in `style` (None = the person's habitual style)."""
    s = pop.p_name_style[pid] if style is None else style
    kind = pop.p_kind[pid]
    if kind == KR_PERSON:
        return _render_kr(pop.p_sur[pid], pop.p_given[pid], pop.p_sur_ko[pid], pop.p_given_ko[pid], s)
    if kind == BUSINESS:
        return _render_business(pop.p_company[pid], pop.p_jur[pid], s)
    last = pop.p_sur[pid]
    if pop.p_sur2[pid] and pop.p_sur2_habit[pid]:
        last = f"{last} {pop.p_sur2[pid]}"
    return _render_us(pop.p_given[pid][0], pop.p_middle[pid], last, s, pop.p_accents[pid])


def name_variant(pop: Population, pid: int, rng: random.Random, *, typo_rate: float, avoid: set[str]) -> str:
    """Another way of writing person `pid`'s name, different from every string in `avoid`.

    Korean names switch style (order, case, hyphen, spacing, Hangul), surname romanisation (Lee/Yi/Rhee/I,
    Park/Pak/Bak, Choi/Choe, Jung/Jeong/Chung, Kang/Gang ...) or given-name syllables (jun/joon); US names use
    nicknames, drop or add the middle initial or second surname, change order or case; either may carry a
    typo.
    """
    t = name_tables()
    kind = pop.p_kind[pid]
    for _attempt in range(12):
        if kind == KR_PERSON:
            sur = pop.p_sur[pid]
            syl = pop.p_given[pid]
            style = pop.p_name_style[pid]
            ops = rng.sample(("style", "style", "surname", "syllable", "spacing"), k=rng.choice((1, 1, 2)))
            for op in ops:
                if op == "style":
                    style = rng.choice([s for s in range(len(KR_NAME_STYLES)) if s != style])
                elif op == "surname":
                    opts = t.kr_sur_rom[pop.p_sur_idx[pid]].values
                    sur = rng.choice(opts) if len(opts) > 1 else sur
                elif op == "syllable":
                    k = rng.randrange(len(syl))
                    opts = t.kr_syll[pop.p_given_ko[pid][k]].values
                    syl = (*syl[:k], rng.choice(opts), *syl[k + 1 :])
                elif op == "spacing" and style in (0, 3, 5):
                    style = rng.choice((1, 6, 7))
            out = _render_kr(sur, syl, pop.p_sur_ko[pid], pop.p_given_ko[pid], style)
        elif kind == BUSINESS:
            out = _render_business(pop.p_company[pid], pop.p_jur[pid], rng.randrange(BUSINESS_STYLES))
        else:
            first = pop.p_given[pid][0]
            middle = pop.p_middle[pid]
            last = pop.p_sur[pid]
            sur2 = pop.p_sur2[pid]
            style = pop.p_name_style[pid]
            accents = pop.p_accents[pid]
            r = rng.random()
            if r < 0.25 and first in t.us_nick:
                first = rng.choice(t.us_nick[first])
            elif r < 0.45 and sur2:
                last = last if pop.p_sur2_habit[pid] else f"{last} {sur2}"
            elif r < 0.55:
                accents = not accents
                style = rng.choice((0, 1, 2, 3, 6))
            else:
                style = rng.choice([s for s in range(len(US_NAME_STYLES)) if s != style])
            if sur2 and pop.p_sur2_habit[pid] and r >= 0.45:
                last = f"{last} {sur2}"
            out = _render_us(first, middle, last, style, accents)
        if rng.random() < typo_rate:
            out = typo(out, rng)
        if rng.random() < 0.03:
            out = out.replace(" ", "  ", 1)
        if out not in avoid:
            return out
    # Random attempts exhausted (e.g. a Hangul name whose romanisation changes do not show): walk every style
    # and surname spelling before giving up with a trailing full stop.
    if kind == KR_PERSON:
        for sur in t.kr_sur_rom[pop.p_sur_idx[pid]].values:
            for style in range(len(KR_NAME_STYLES)):
                out = _render_kr(sur, pop.p_given[pid], pop.p_sur_ko[pid], pop.p_given_ko[pid], style)
                if out not in avoid:
                    return out
    elif kind != BUSINESS:
        for style in range(len(US_NAME_STYLES)):
            out = render_name(pop, pid, style)
            if out not in avoid:
                return out
    out = render_name(pop, pid)
    while out in avoid:
        out += "."
    return out


# ---------------------------------------------------------------------- rendering: addresses


def _kr_unit(kind: int, dong: int, unit: str, fmt: int) -> tuple[str, str]:
    """(Hangul, roman) unit text; fmt 0 standard, 1 compact, 2 dashed, 3 with '#'."""
    if not unit:
        return "", ""
    if kind == KR_APT:
        if fmt == 1:
            return f"{dong}동{unit}호", f"{dong}-dong {unit}-ho"
        if fmt == 2:
            return f"{dong}-{unit}", f"{dong}-{unit}"
        if fmt == 3:
            return f"{dong}동 {unit}호", f"#{dong}-{unit}"
        return f"{dong}동 {unit}호", f"{dong}-dong {unit}-ho"
    if kind == KR_OFFICE:
        floor, room = unit.split("층 ")
        return unit, f"{floor}F {room.rstrip('호')}"
    if fmt == 2:
        return unit, unit
    if fmt == 3:
        return f"{unit}호", f"#{unit}"
    return f"{unit}호", f"{unit}-ho"


def _render_kr_address(
    pop: Population,
    aid: int,
    style: int,
    *,
    unit_fmt: int = 0,
    drop_unit: bool = False,
    short_sido: bool = False,
) -> str:
    t = name_tables()
    b = pop.a_building[aid]
    kind = pop.b_kind[b]
    sido_ko, sido_en, sgg_ko, sgg_en, _lo, _hi = t.kr_dist[pop.b_place[b]]
    road_ko, road_en = t.kr_roads[pop.b_road[b]]
    gil = pop.b_gil[b]
    if gil:
        road_ko, road_en = f"{road_ko}{gil}번길", f"{road_en} {gil}beon-gil"
    neigh_ko, _neigh_en = t.kr_neigh[pop.b_neigh[b]] if pop.b_neigh[b] >= 0 else ("", "")
    name_ko, name_en = pop.b_name[b]
    unit_ko, unit_en = ("", "") if drop_unit else _kr_unit(kind, pop.a_dong[aid], pop.a_unit[aid], unit_fmt)
    num = pop.b_num[b]
    if short_sido:
        sido_ko = _SIDO_SHORT.get(sido_ko, sido_ko)
        sido_en = sido_en.replace("-do", "")
    if style == 0:
        paren = ", ".join(x for x in (neigh_ko, f"{name_ko}아파트" if kind == KR_APT else name_ko) if x)
        s = f"{sido_ko} {sgg_ko} {road_ko} {num}"
        if unit_ko:
            s += f", {unit_ko}"
        return f"{s} ({paren})" if paren else s
    if style == 1:
        return " ".join(x for x in (sido_ko, sgg_ko, road_ko, num, name_ko, unit_ko) if x)
    if style == 2:
        head = f"{unit_en}, " if unit_en else ""
        return f"{head}{num} {road_en}, {sgg_en}, {sido_en}"
    if style == 3:
        if kind == KR_APT and unit_en and not drop_unit:
            head = f"{name_en} Apt {pop.a_dong[aid]}-{pop.a_unit[aid]}, "
        elif name_en:
            head = f"{name_en} {unit_en}, " if unit_en else f"{name_en}, "
        else:
            head = f"{unit_en}, " if unit_en else ""
        return f"{head}{num} {road_en}, {sgg_en}, {sido_en}, Republic of Korea"
    # jibun (lot-number) address, still common on older records
    sido = _SIDO_SHORT.get(sido_ko, sido_ko)
    return " ".join(x for x in (sido, sgg_ko, neigh_ko, pop.b_jibun[b], name_ko, unit_ko) if x)


def _render_us_address(
    pop: Population,
    aid: int,
    style: int,
    *,
    unit_word: int = 0,
    drop_unit: bool = False,
    long_words: bool = False,
    zip4: bool = False,
) -> str:
    t = name_tables()
    b = pop.a_building[aid]
    kind = pop.b_kind[b]
    unit = "" if drop_unit else pop.a_unit[aid]
    if kind == US_MAILBOX:
        num, street, st_type, city, state, zipc, _area = _US_MAILBOX_HUBS[pop.b_place[b]]
        word = ("Ste", "Suite", "#", "Unit", "STE")[unit_word % 5]
        line1 = f"{num} {street} {st_type}"
        unit_txt = f"{word} {unit}" if word != "#" else f"#{unit}"
    else:
        city, state, _z, _a = t.us_cities[pop.b_place[b]]
        zipc = pop.b_postcode[b]
        street = t.us_streets[pop.b_road[b]]
        short, long_ = _US_STREET_TYPES[pop.b_type[b]]
        st = long_ if long_words else short
        d = pop.b_dir[b]
        prefix = "" if d < 0 else (_US_DIRECTIONS[d][1] if long_words else _US_DIRECTIONS[d][0]) + " "
        line1 = f"{pop.b_num[b]} {prefix}{street} {st}"
        if kind == US_OFFICE:
            word = ("Suite", "Ste", "#", "Ste.", "STE")[unit_word % 5]
        else:
            word = _US_UNIT_WORDS[unit_word % len(_US_UNIT_WORDS)]
        unit_txt = (f"#{unit}" if word == "#" else f"{word} {unit}") if unit else ""
    z = f"{zipc}-{pop.b_zip4[b]}" if zip4 and pop.b_zip4[b] else zipc
    if style == 1:
        return ", ".join(x for x in (f"{line1} {unit_txt}".strip(), f"{city} {state} {z}") if x).upper()
    if style == 2:
        return ", ".join(x for x in (line1, unit_txt, city, f"{state} {z}") if x)
    if style == 3:
        return f"{line1}{' ' + unit_txt if unit_txt else ''} {city} {state} {z}"
    return f"{line1}{' ' + unit_txt if unit_txt else ''}, {city}, {state} {z}"


def render_address(pop: Population, aid: int, style: int) -> str:
    """Address `aid` written in `style` (a Korean or US address style index, by the address's country)."""
    if pop.b_kind[pop.a_building[aid]] in (KR_APT, KR_VILLA, KR_HOUSE, KR_OFFICE):
        return _render_kr_address(pop, aid, style % KR_ADDRESS_STYLES)
    return _render_us_address(pop, aid, style % US_ADDRESS_STYLES)


def address_variant(
    pop: Population, aid: int, style: int, rng: random.Random, *, typo_rate: float, avoid: set[str]
) -> str:
    """Another way of writing address `aid` (habitual `style`), different from every string in `avoid`.

    Variations: other script or layout, unit written `101동1203호` / `101-1203` / `#101-1203`, unit missing,
    short province name, lot-number (jibun) address; US: `Apt`/`#`/`Unit`, long street words, ZIP+4, unit
    missing; plus typos.
    """
    is_kr = pop.b_kind[pop.a_building[aid]] in (KR_APT, KR_VILLA, KR_HOUSE, KR_OFFICE)
    out = ""
    for _attempt in range(12):
        if is_kr:
            st = style % KR_ADDRESS_STYLES
            r = rng.random()
            if r < 0.3:
                st = rng.choice([s for s in range(KR_ADDRESS_STYLES) if s != st])
            out = _render_kr_address(
                pop,
                aid,
                st,
                unit_fmt=rng.randrange(4) if rng.random() < 0.5 else 0,
                drop_unit=rng.random() < 0.15,
                short_sido=rng.random() < 0.3,
            )
        else:
            st = style % US_ADDRESS_STYLES
            if rng.random() < 0.3:
                st = rng.choice([s for s in range(US_ADDRESS_STYLES) if s != st])
            out = _render_us_address(
                pop,
                aid,
                st,
                unit_word=rng.randrange(5),
                drop_unit=rng.random() < 0.15,
                long_words=rng.random() < 0.25,
                zip4=rng.random() < 0.2,
            )
        if rng.random() < typo_rate:
            out = typo(out, rng)
        if out not in avoid:
            return out
    while out in avoid:
        out += "."
    return out


# ---------------------------------------------------------------------- rendering: phones


def render_phone(pop: Population, ph: int, fmt: int) -> str:
    """Phone `ph` written in format `fmt` (0-7: dashed national, digits, +CC spaced, dotted, spaced,
    +CC-dashed,
    +CC compact, CC-dashed without plus)."""
    cc = pop.ph_cc[ph]
    parts = pop.ph_parts[ph]
    if cc == "82":
        nat = parts[0]
        intl_first = nat[1:] if nat.startswith("0") else nat
        rest = parts[1:]
        forms: tuple[str, ...] = (
            "-".join(parts),
            "".join(parts),
            f"+82 {intl_first}-{'-'.join(rest)}",
            ".".join(parts),
            " ".join(parts),
            f"+82-{intl_first}-{'-'.join(rest)}",
            f"+82{intl_first}{''.join(rest)}",
            f"82-{intl_first}-{'-'.join(rest)}",
        )
        return forms[fmt % len(forms)]
    if cc == "1" and len(parts) == 3:
        a, b, c = parts
        forms = (
            f"({a}) {b}-{c}",
            f"{a}-{b}-{c}",
            f"+1 {a}-{b}-{c}",
            f"{a}{b}{c}",
            f"+1{a}{b}{c}",
            f"{a}.{b}.{c}",
            f"1-{a}-{b}-{c}",
            f"+1 ({a}) {b}-{c}",
        )
        return forms[fmt % len(forms)]
    joined = " ".join(parts)
    forms = (f"+{cc} {joined}", f"+{cc}{''.join(parts)}", f"00{cc} {joined}", f"+{cc}-{'-'.join(parts)}")
    return forms[fmt % len(forms)]


def phone_variant(pop: Population, ph: int, fmt: int, rng: random.Random, *, typo_rate: float = 0.0) -> str:
    """Phone `ph` in a format other than `fmt`; with probability `typo_rate` one digit is also mistyped."""
    habitual = render_phone(pop, ph, fmt)
    out = habitual.replace("-", " ")
    for _attempt in range(8):
        out = render_phone(pop, ph, rng.randrange(PHONE_FORMATS))
        if out != habitual:
            break
    if rng.random() < typo_rate:
        out = typo(out, rng)
    return out
