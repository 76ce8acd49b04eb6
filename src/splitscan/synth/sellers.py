"""Sellers (the merchants behind parcels), the goods they sell, and currencies.

A seller is the actual merchant (`seller_id`); `platform` is the marketplace it sells on (Taobao, AliExpress,
Temu, Amazon, eBay, Coupang ...) or empty for a direct shop: "same seller" in the Korean aggregation rule
means the merchant, not the platform (domain.md §1.3, §4). Seller countries follow the KCS countries of
departure; goods (HS6), values and weights follow the KCS-derived tables rescaled to parcel ranges
(`data/ATTRIBUTION.md`). Purchase agents (구매대행) are sellers that ship many buyers' orders in the buyers'
names; shipping agents (배송대행, forwarders) appear as the shipper of orders bought from other merchants.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from splitscan.synth.tables import WeightedChoices, kcs_tables

__all__ = [
    "APPROX_UNITS_PER_USD",
    "CHANNELS",
    "CURRENCIES",
    "FX_MARGIN",
    "GENERIC_DESCRIPTIONS",
    "Sellers",
    "build_sellers",
    "departure_weights",
    "sample_goods",
    "sample_value_mass",
]

logger = logging.getLogger(__name__)

CHANNELS: Final[tuple[str, ...]] = ("postal", "express", "ecommerce")
CURRENCIES: Final[tuple[str, ...]] = ("USD", "EUR", "GBP", "JPY", "CNY", "KRW", "CAD", "AUD", "HKD")
# Approximate 2024-2025 units per USD, used only to write declared values in other currencies. The pipeline
# converts with ECB daily rates, which moved by up to about +-13% from these mid values in 2023-2026 (JPY,
# KRW); scheme parcels therefore keep a per-currency safety margin (FX_MARGIN) on both sides of the threshold.
APPROX_UNITS_PER_USD: Final[dict[str, float]] = {
    "USD": 1.0,
    "EUR": 0.92,
    "GBP": 0.78,
    "JPY": 150.0,
    "CNY": 7.2,
    "KRW": 1380.0,
    "CAD": 1.37,
    "AUD": 1.52,
    "HKD": 7.82,
}
FX_MARGIN: Final[dict[str, float]] = {
    "USD": 0.0,
    "HKD": 0.02,
    "CNY": 0.06,
    "CAD": 0.08,
    "EUR": 0.10,
    "GBP": 0.10,
    "AUD": 0.12,
    "JPY": 0.15,
    "KRW": 0.15,
}
GENERIC_DESCRIPTIONS: Final[tuple[str, ...]] = (
    "gift",
    "clothes",
    "accessories",
    "sample",
    "goods",
    "daily necessities",
)

# Per seller country: platforms (weighted; "" = direct shop), declared currencies, and base channel mix
# (postal, express, ecommerce).
_COUNTRY_PROFILES: Final[dict[str, tuple[str, str, tuple[float, float, float]]]] = {
    "CN": (
        "Taobao:22|AliExpress:30|Temu:18|Shein:6|Tmall:4|Coupang:3|:17",
        "USD:75|CNY:25",
        (0.25, 0.15, 0.60),
    ),
    "HK": ("AliExpress:25|eBay:20|:55", "USD:60|HKD:40", (0.45, 0.35, 0.20)),
    "TW": ("Shopee:30|:70", "USD:100", (0.5, 0.35, 0.15)),
    "JP": ("Rakuten:30|Amazon:25|Qoo10:10|:35", "JPY:60|USD:40", (0.55, 0.35, 0.10)),
    "US": ("Amazon:45|eBay:15|Walmart:5|Coupang:3|:32", "USD:100", (0.30, 0.50, 0.20)),
    "CA": ("Amazon:30|eBay:30|:40", "CAD:60|USD:40", (0.5, 0.4, 0.1)),
    "GB": ("Amazon:40|eBay:25|:35", "GBP:75|USD:25", (0.55, 0.40, 0.05)),
    "DE": ("Amazon:40|eBay:25|:35", "EUR:75|USD:25", (0.55, 0.40, 0.05)),
    "FR": ("Amazon:40|eBay:20|:40", "EUR:80|USD:20", (0.55, 0.40, 0.05)),
    "IT": ("Amazon:35|eBay:25|:40", "EUR:80|USD:20", (0.55, 0.40, 0.05)),
    "ES": ("Amazon:40|eBay:20|:40", "EUR:80|USD:20", (0.55, 0.40, 0.05)),
    "NL": ("Amazon:30|eBay:20|:50", "EUR:80|USD:20", (0.55, 0.40, 0.05)),
    "CH": ("eBay:30|:70", "USD:60|EUR:40", (0.5, 0.5, 0.0)),
    "VN": ("Shopee:30|Lazada:10|:60", "USD:100", (0.5, 0.3, 0.2)),
    "TH": ("Shopee:30|Lazada:15|:55", "USD:100", (0.5, 0.3, 0.2)),
    "MY": ("Shopee:30|Lazada:15|:55", "USD:100", (0.5, 0.3, 0.2)),
    "SG": ("Shopee:25|Lazada:15|Qoo10:15|:45", "USD:100", (0.45, 0.4, 0.15)),
    "ID": ("Shopee:35|:65", "USD:100", (0.5, 0.3, 0.2)),
    "IN": ("Amazon:30|eBay:20|:50", "USD:100", (0.5, 0.4, 0.1)),
    "AU": ("Amazon:30|eBay:30|:40", "AUD:70|USD:30", (0.5, 0.45, 0.05)),
    "KR": ("Amazon:20|eBay:20|:60", "USD:100", (0.5, 0.4, 0.1)),
}
_POSTAL_SERVICES: Final[dict[str, str]] = {
    "CN": "LX:20|LK:10|LM:5|RB:15|RS:5|RR:10|UA:10|UB:5|EA:5|EV:5|CP:5|LP:5",
    "US": "LZ:35|LX:15|CP:15|EC:10|UA:10|RA:10|EA:5",
    "JP": "RR:30|RX:10|EJ:10|EN:10|CP:15|CX:10|LX:15",
    "DE": "RR:35|RX:10|LX:25|CX:20|LD:10",
    "GB": "RR:30|RN:15|LX:25|CX:20|LB:10",
    "": "RR:35|RB:15|LX:20|EE:10|CP:10|UA:10",
}
_EXPRESS: Final[dict[str, str]] = {
    "CN": "SF:30|DHL:30|FedEx:20|UPS:20",
    "US": "UPS:40|FedEx:40|DHL:20",
    "": "DHL:50|FedEx:25|UPS:25",
}
_ECOMMERCE: Final[dict[str, str]] = {
    "Taobao": "Cainiao:60|4PX:25|YunExpress:15",
    "Tmall": "Cainiao:100",
    "AliExpress": "Cainiao:85|4PX:15",
    "Temu": "YunExpress:60|4PX:40",
    "Shein": "YunExpress:100",
    "CN": "YunExpress:50|4PX:30|Cainiao:20",
    "": "DHLeC:70|UniUni:30",
}
_CN_CITIES: Final[tuple[str, ...]] = (
    "Shenzhen",
    "Guangzhou",
    "Yiwu",
    "Hangzhou",
    "Dongguan",
    "Shanghai",
    "Ningbo",
    "Xiamen",
    "Quanzhou",
    "Suzhou",
    "Foshan",
    "Shantou",
    "Jinhua",
)
_CN_WORDS: Final[tuple[str, ...]] = (
    "Huaxin",
    "Jiayi",
    "Xinda",
    "Mingtai",
    "Haoyu",
    "Ruixiang",
    "Tianfu",
    "Kaida",
    "Longsheng",
    "Hongyuan",
    "Jinrui",
    "Boyuan",
    "Xinghe",
    "Yihang",
    "Shengda",
    "Wanjia",
    "Lianfa",
    "Aoxiang",
    "Yuanda",
    "Fengyi",
)
_CN_TYPES: Final[tuple[str, ...]] = (
    "Trading Co., Ltd.",
    "E-commerce Co., Ltd.",
    "Technology Co., Ltd.",
    "Import & Export Co., Ltd.",
    "Electronics Co., Ltd.",
    "Garment Co., Ltd.",
    "Supply Chain Management Co., Ltd.",
)
_BRAND_A: Final[tuple[str, ...]] = (
    "Luna",
    "Nova",
    "Pure",
    "Urban",
    "Happy",
    "Lucky",
    "Sunny",
    "Bright",
    "Vivid",
    "Cozy",
    "Smart",
    "Zen",
    "Blue",
    "Golden",
    "Little",
    "Wild",
    "Prime",
    "Royal",
    "Silver",
    "Fresh",
)
_BRAND_B: Final[tuple[str, ...]] = (
    "Home",
    "Style",
    "Gear",
    "Beauty",
    "Life",
    "Mart",
    "Box",
    "Shop",
    "Select",
    "Craft",
    "Wear",
    "Tech",
    "Kids",
    "Pets",
    "Nutrition",
    "Outdoors",
    "Closet",
    "Deals",
)
_LEGAL_SUFFIX: Final[dict[str, tuple[str, ...]]] = {
    "US": ("LLC", "Inc.", "Co."),
    "CA": ("Inc.", "Ltd."),
    "GB": ("Ltd", "Limited"),
    "DE": ("GmbH", "UG"),
    "FR": ("SARL", "SAS"),
    "IT": ("S.r.l.",),
    "ES": ("S.L.",),
    "NL": ("B.V.",),
    "CH": ("AG", "GmbH"),
    "JP": ("Co., Ltd.", "K.K."),
    "AU": ("Pty Ltd",),
    "SG": ("Pte. Ltd.",),
    "MY": ("Sdn. Bhd.",),
    "ID": ("PT",),
    "IN": ("Pvt. Ltd.",),
    "HK": ("Limited", "Co., Limited"),
    "TW": ("Co., Ltd.",),
    "VN": ("Co., Ltd.",),
    "TH": ("Co., Ltd.",),
    "KR": ("Co., Ltd.", "Inc."),
}
# Purchase agents (구매대행) and shipping agents (배송대행): fictional names.
_AGENT_STEMS: Final[tuple[str, ...]] = (
    "Hanul",
    "Daebak",
    "Jikgu",
    "Moa",
    "Bada",
    "Nuri",
    "Sesang",
    "Haneul",
    "Gaon",
    "Oneul",
    "Dasom",
    "Bom",
)
FORWARDERS: Final[tuple[tuple[str, str], ...]] = (
    ("OHGO EXPRESS INC", "US"),
    ("K-POST FORWARDING LLC", "US"),
    ("HANSHIP USA INC", "US"),
    ("BAEDAL AMERICA CORP", "US"),
    ("WESTBRIDGE KSHIP INC", "US"),
    ("DAESHIN LOGISTICS (WEIHAI) CO LTD", "CN"),
    ("QINGDAO HANJIN SUPPLY CHAIN CO LTD", "CN"),
    ("TOKYO KSHIP CO LTD", "JP"),
    ("EURO-KSHIP GMBH", "DE"),
)


def _pick(spec: str, rng: np.random.Generator, n: int) -> list[str]:
    parts = [p.rsplit(":", 1) for p in spec.split("|")]
    values = [p[0] for p in parts]
    w = np.asarray([float(p[1]) for p in parts])
    idx = rng.choice(len(values), size=n, p=w / w.sum())
    return [values[i] for i in idx.tolist()]


@dataclass
class Sellers:
    """All sellers of a run, stored by column (index = seller number).

    Attributes:
        seller_id: merchant identifier as the platform shows it.
        platform: marketplace name, "" for direct shops.
        shipper_name: name printed as shipper.
        country: shipper (departure) country.
        currency: declared currency.
        kind: "merchant" or "agent" (Korean purchase agent shipping in buyers' names).
        channel_p: probabilities of postal, express, ecommerce, shape (n, 3).
        popularity: relative size within the seller's country.
        hs_pool: HS6 indices the seller sells, with cumulative probabilities (padded to a common width).
        price_level: multiplicative price level.
        origin: main country of origin of the seller's goods.
        express: express carrier; ecommerce: e-commerce logistics brand; postal: S10 service indicator.
        desc_pick: per seller, which description of each heading it uses.
    """

    seller_id: list[str] = field(default_factory=list)
    platform: list[str] = field(default_factory=list)
    shipper_name: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    currency: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    channel_p: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 3)))
    popularity: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    hs_pool: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 1), dtype=np.int64))
    hs_cum: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 1)))
    price_level: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    origin: list[str] = field(default_factory=list)
    express: list[str] = field(default_factory=list)
    ecommerce: list[str] = field(default_factory=list)
    postal: list[str] = field(default_factory=list)
    desc_pick: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n(self) -> int:
        """Number of sellers."""
        return len(self.seller_id)

    def indices(self, *, country: str | None = None, kind: str | None = None) -> npt.NDArray[np.int64]:
        """Seller indices, optionally restricted to one country and/or kind."""
        mask = np.ones(self.n, dtype=bool)
        if country is not None:
            mask &= np.asarray(self.country) == country
        if kind is not None:
            mask &= np.asarray(self.kind) == kind
        return np.flatnonzero(mask).astype(np.int64)

    def can_ship_to(self, jurisdiction: str) -> npt.NDArray[np.bool_]:
        """Sellers that may ship to `jurisdiction` (not domestic; Coupang and agents serve Korea only)."""
        c = np.asarray(self.country)
        ok = c != jurisdiction
        if jurisdiction != "KR":
            ok &= (np.asarray(self.platform) != "Coupang") & (np.asarray(self.kind) != "agent")
        else:
            ok &= c != "KR"
        return np.asarray(ok, dtype=np.bool_)


def _seller_id(platform: str, country: str, name: str, rng: np.random.Generator) -> str:
    d = int(rng.integers(0, 10**15))
    alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    if platform == "Taobao":
        return f"TB{d % 10**10:010d}"
    if platform == "Tmall":
        return f"TM{d % 10**9:09d}"
    if platform == "AliExpress":
        return f"{d % 9 * 10**8 + 11 * 10**8 + d % 10**8}"
    if platform == "Temu":
        return f"6343{d % 10**11:011d}"
    if platform == "Shein":
        return "SH" + "".join(alnum[(d >> (5 * k)) % len(alnum)] for k in range(8))
    if platform == "Amazon":
        return "A" + "".join(alnum[(d >> (4 * k)) % len(alnum)] for k in range(13))
    if platform == "eBay":
        base = "".join(ch for ch in name.lower() if ch.isalnum())[:12] or "seller"
        return f"{base}_{d % 1000}"
    if platform == "Walmart":
        return f"{d % 10**6 + 100000}"
    if platform == "Rakuten":
        return "".join(ch for ch in name.lower() if ch.isalnum())[:10] + f"-{d % 100}"
    if platform == "Qoo10":
        return f"Q{d % 10**7:07d}"
    if platform == "Coupang":
        return f"C{d % 10**8:08d}"
    if platform == "Shopee":
        return f"{d % 10**9 + 10**8}"
    if platform == "Lazada":
        return f"LZ{d % 10**7:07d}"
    slug = "".join(ch for ch in name.lower().split(" co")[0] if ch.isalnum())[:18] or f"shop{d % 1000}"
    tld = {"US": ".com", "GB": ".co.uk", "DE": ".de", "JP": ".jp", "FR": ".fr", "KR": ".co.kr"}.get(country, ".com")
    return f"{slug}{tld}"


def _shipper_name(country: str, platform: str, rng: np.random.Generator) -> str:
    u = rng.integers(0, 1_000_000, size=4)
    if country == "CN" or (country == "HK" and u[3] % 2):
        city = _CN_CITIES[int(u[0]) % len(_CN_CITIES)] if country == "CN" else "Hong Kong"
        name = f"{city} {_CN_WORDS[int(u[1]) % len(_CN_WORDS)]} {_CN_TYPES[int(u[2]) % len(_CN_TYPES)]}"
        if platform in ("AliExpress", "Temu", "Shein") and u[3] % 3 == 0:
            return f"{_BRAND_A[int(u[0]) % len(_BRAND_A)]}{_BRAND_B[int(u[1]) % len(_BRAND_B)]} Store"
        return name
    suffix = _LEGAL_SUFFIX.get(country, ("Co., Ltd.",))
    brand = f"{_BRAND_A[int(u[0]) % len(_BRAND_A)]} {_BRAND_B[int(u[1]) % len(_BRAND_B)]}"
    return f"{brand} {suffix[int(u[2]) % len(suffix)]}"


def departure_weights(jurisdictions: tuple[str, ...]) -> dict[str, float]:
    """Seller-country weights: KCS departure counts of the supported countries (KR only for US imports)."""
    kcs = kcs_tables().departure_weights
    out = {c: kcs.get(c, 0.0) for c in _COUNTRY_PROFILES}
    if "US" not in jurisdictions:
        out.pop("KR", None)
    return {c: w for c, w in out.items() if w > 0}


def build_sellers(rng: np.random.Generator, n_records: int, jurisdictions: tuple[str, ...]) -> Sellers:
    """Draw the seller universe for a run of `n_records` parcels.

    Sellers per country follow the KCS departure counts (to the power 0.8, so smaller countries keep a few
    sellers); popularity within a country is Zipf-like; each seller sells one to three HS headings.

    Args:
        rng: random generator.
        n_records: records to generate (sets the number of sellers, about one per 35 parcels).
        jurisdictions: destination countries of the run.
    """
    t = kcs_tables()
    weights = departure_weights(jurisdictions)
    countries = sorted(weights)
    w = np.asarray([weights[c] for c in countries]) ** 0.8
    total = int(np.clip(n_records / 35, 150, 40_000))
    per_country = np.maximum(2, np.round(total * w / w.sum()).astype(np.int64))
    s = Sellers()
    pool = _GoodsPool.build()
    channel_rows: list[npt.NDArray[np.float64]] = []
    popularity: list[float] = []
    for c, k in zip(countries, per_country.tolist(), strict=True):
        plat_spec, cur_spec, ch_base = _COUNTRY_PROFILES[c]
        plats = _pick(plat_spec, rng, k)
        s.currency.extend(_pick(cur_spec, rng, k))
        ranks = rng.permutation(k) + 1
        pop = (1.0 / ranks**1.0) * rng.lognormal(0, 0.3, size=k)
        popularity.extend((pop / pop.sum()).tolist())
        origins = t.origin.get(c, WeightedChoices((c,), np.array([1.0])))
        drawn = rng.choice(len(origins.values), size=k, p=origins.probs)
        own = (rng.random(k) < 0.4) & (c in ("US", "JP", "DE", "GB", "KR"))
        s.origin.extend(c if o else origins.values[d] for d, o in zip(drawn.tolist(), own.tolist(), strict=True))
        s.express.extend(_pick(_EXPRESS.get(c, _EXPRESS[""]), rng, k))
        s.postal.extend(_pick(_POSTAL_SERVICES.get(c, _POSTAL_SERVICES[""]), rng, k))
        eco_default = "CN" if c in ("CN", "HK") else ""
        eco_by_plat = {p: _pick(_ECOMMERCE[p if p in _ECOMMERCE else eco_default], rng, k) for p in sorted(set(plats))}
        base = np.asarray(ch_base, dtype=np.float64) / sum(ch_base)
        primary = rng.choice(3, size=k, p=base)
        for i in range(k):
            plat = plats[i]
            name = _shipper_name(c, plat, rng)
            s.seller_id.append(_seller_id(plat, c, name, rng))
            s.platform.append(plat)
            s.shipper_name.append(name)
            s.country.append(c)
            s.kind.append("merchant")
            row = 0.3 * base
            row[int(primary[i])] += 0.7
            channel_rows.append(row)
            s.ecommerce.append(eco_by_plat[plat][i])
    n_merchants = len(s.seller_id)
    # Purchase agents: Korean businesses buying abroad and shipping each order in the buyer's own name.
    n_agents = max(3, total // 400) if "KR" in jurisdictions else 0
    for i in range(n_agents):
        stem = _AGENT_STEMS[i % len(_AGENT_STEMS)] + ("" if i < len(_AGENT_STEMS) else str(i))
        c = _pick("US:50|CN:30|JP:20", rng, 1)[0]
        on_store = rng.random() < 0.5
        s.seller_id.append(f"{stem.lower()}buy" if on_store else f"{stem.lower()}buy.co.kr")
        s.platform.append("Naver SmartStore" if on_store else "")
        s.shipper_name.append(f"{stem.upper()} GLOBAL SHOPPING ({c} WAREHOUSE)")
        s.country.append(c)
        s.currency.append(_pick("USD:70|KRW:30", rng, 1)[0])
        s.kind.append("agent")
        channel_rows.append(np.array([0.0, 0.6, 0.4]))
        s.origin.append(c)
        s.express.append(_pick("CJ:50|Hanjin:30|DHL:20", rng, 1)[0])
        s.ecommerce.append("CJ")
        s.postal.append("EE")
        popularity.append(1.0)
    n_head = np.concatenate(
        [rng.choice([1, 2, 3], size=n_merchants, p=[0.55, 0.3, 0.15]), np.full(n_agents, 6, dtype=np.int64)]
    )
    s.hs_pool, s.hs_cum = pool.draw(rng, n_head)
    s.channel_p = np.vstack(channel_rows)
    s.popularity = np.asarray(popularity, dtype=np.float64)
    s.price_level = rng.lognormal(0.0, 0.3, size=s.n)
    s.desc_pick = rng.integers(0, 1_000_000, size=s.n)
    logger.info("built %d sellers in %d countries", s.n, len(countries))
    return s


@dataclass(frozen=True)
class _GoodsPool:
    """HS6 codes grouped by heading, for drawing each seller's assortment."""

    heading_w: npt.NDArray[np.float64]
    codes: tuple[npt.NDArray[np.int64], ...]
    code_w: tuple[npt.NDArray[np.float64], ...]

    @staticmethod
    def build() -> _GoodsPool:
        t = kcs_tables()
        headings = sorted(set(t.hs6_heading))
        heading_of = np.asarray(t.hs6_heading)
        codes = tuple(np.flatnonzero(heading_of == h).astype(np.int64) for h in headings)
        code_w = tuple(t.hs6_weight[c] for c in codes)
        hw = np.asarray([w.sum() for w in code_w], dtype=np.float64)
        return _GoodsPool(hw / hw.sum(), codes, code_w)

    def draw(
        self, rng: np.random.Generator, n_headings: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Per seller, up to 12 HS6 codes from `n_headings[i]` headings and their cumulative probabilities;
        the first heading is the seller's main line (3x weight)."""
        n = len(n_headings)
        width = 12
        pool = np.zeros((n, width), dtype=np.int64)
        cum = np.ones((n, width), dtype=np.float64)
        # Gumbel-top-k: draw headings without replacement in proportion to their weight, vectorised.
        keys = np.log(self.heading_w)[None, :] - np.log(-np.log(rng.random((n, len(self.heading_w)))))
        order = np.argsort(-keys, axis=1)[:, : int(n_headings.max())]
        jitter = rng.lognormal(0, 0.5, size=(n, width))
        for i in range(n):
            idx_parts = []
            w_parts = []
            for j in range(int(n_headings[i])):
                h = int(order[i, j])
                idx_parts.append(self.codes[h])
                w_parts.append(self.code_w[h] * (3.0 if j == 0 else 1.0))
            idx = np.concatenate(idx_parts)
            wt = np.concatenate(w_parts)
            if len(idx) > width:
                top = np.argsort(-wt * jitter[i, 0] * rng.random(len(wt)) ** 0.5)[:width]
                idx, wt = idx[top], wt[top]
            wt = wt * jitter[i, : len(wt)]
            c = np.cumsum(wt / wt.sum())
            c[-1] = 1.0
            pool[i, : len(idx)] = idx
            pool[i, len(idx) :] = idx[-1]
            cum[i, : len(c)] = c
        return pool, cum


def sample_goods(
    sellers: Sellers, seller_idx: npt.NDArray[np.int64], rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """One HS6 index (into `kcs_tables().hs6`) per parcel, from each parcel's seller's goods pool."""
    u = rng.random(len(seller_idx))
    k = (sellers.hs_cum[seller_idx] < u[:, None]).sum(axis=1)
    k = np.minimum(k, sellers.hs_pool.shape[1] - 1)
    return np.asarray(sellers.hs_pool[seller_idx, k], dtype=np.int64)


def _norm_cdf(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # Abramowitz & Stegun 7.1.26 erf approximation (|error| < 1.5e-7); numpy has no erf and scipy is not a
    # dependency.
    x = np.abs(z) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = 1.0 - poly * np.exp(-x * x)
    return np.asarray(0.5 * (1.0 + np.sign(z) * erf), dtype=np.float64)


def sample_value_mass(
    hs6_idx: npt.NDArray[np.int64], rng: np.random.Generator
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Unit value (USD) and net mass (kg) per parcel from its HS chapter's parcel-scale quantiles.

    Value and mass are drawn with a Gaussian copula whose correlation is the chapter's KCS Spearman
    correlation, so heavy items tend to be the expensive ones, as in the source data.
    """
    t = kcs_tables()
    ch = t.hs6_chapter_idx[hs6_idx]
    n = len(hs6_idx)
    z1 = rng.standard_normal(n)
    z2 = rng.standard_normal(n)
    rho = np.clip(t.rho[ch], 0.0, 0.95)
    u1 = _norm_cdf(z1)
    u2 = _norm_cdf(rho * z1 + np.sqrt(1.0 - rho**2) * z2)
    value = np.empty(n)
    mass = np.empty(n)
    log_v = np.log(t.value_q)
    log_m = np.log(t.mass_q)
    for c in np.unique(ch).tolist():
        sel = ch == c
        value[sel] = np.exp(np.interp(u1[sel], t.q_levels, log_v[c]))
        mass[sel] = np.exp(np.interp(u2[sel], t.q_levels, log_m[c]))
    return value, mass
