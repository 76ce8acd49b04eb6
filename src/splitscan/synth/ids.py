"""Identifiers printed on parcels: tracking numbers, order numbers and master air waybills.

Postal items get UPU S10 item IDs with valid check digits, issued in increasing serials per sender from one
block per sender (so one sender's same-day parcels carry near-consecutive serials, the "sequential S10"
pattern of domain.md §2.3). Express and e-commerce parcels get carrier-like numbers (DHL 10 digits with a
mod-7 check digit, UPS `1Z` with a per-shipper account code, FedEx 12 digits, SF, Cainiao `LP00...`,
YunExpress `YT...`, 4PX, DHL eCommerce `GM...`). Master air waybills are `AAA-NNNNNNNC` with the IATA mod-7
check digit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from splitscan.synth.s10 import S10_WEIGHTS

__all__ = [
    "awb_check_digit",
    "master_awbs",
    "order_ids",
    "s10_check_digits",
    "tracking_numbers",
]

logger = logging.getLogger(__name__)

_ALNUM: Final = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
# IATA airline prefixes plausible on each route (origin country -> destination).
_AIRLINES: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("CN", "KR"): ("180", "988", "112", "784", "999", "781"),
    ("HK", "KR"): ("160", "180", "988"),
    ("JP", "KR"): ("180", "988", "131", "205"),
    ("US", "KR"): ("180", "988", "406", "023"),
    ("CN", "US"): ("999", "784", "781", "160", "297", "406", "023"),
    ("HK", "US"): ("160", "406", "023"),
    ("JP", "US"): ("131", "205", "016", "006"),
    ("KR", "US"): ("180", "988", "406", "023"),
}
_DEFAULT_AIRLINES: Final[dict[str, tuple[str, ...]]] = {
    "KR": ("180", "988", "020", "172", "057"),
    "US": ("016", "006", "001", "020", "172", "057", "125"),
}
_EXPRESS_AIRLINE: Final[dict[str, str]] = {"DHL": "615", "FedEx": "023", "UPS": "406"}


def s10_check_digits(serials: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Vectorised `s10.s10_check_digit` over integer serials (0..99,999,999)."""
    powers = 10 ** np.arange(7, -1, -1, dtype=np.int64)
    digits = (serials[:, None] // powers[None, :]) % 10
    total = digits @ np.asarray(S10_WEIGHTS, dtype=np.int64)
    check = 11 - total % 11
    check = np.where(check == 10, 0, check)
    return np.asarray(np.where(check == 11, 5, check), dtype=np.int64)


def awb_check_digit(serial7: int) -> int:
    """IATA air waybill check digit: the 7-digit serial modulo 7."""
    return serial7 % 7


def _runs(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """True where a new run of equal keys starts (keys already sorted)."""
    start = np.ones(len(keys), dtype=bool)
    start[1:] = keys[1:] != keys[:-1]
    return start


def _random_digits(rng: np.random.Generator, n: int, digits: int) -> list[str]:
    hi = rng.integers(0, 10**9, size=n, dtype=np.int64)
    lo = rng.integers(0, 10**9, size=n, dtype=np.int64)
    return [f"{a:09d}{b:09d}"[-digits:] for a, b in zip(hi.tolist(), lo.tolist(), strict=True)]


def tracking_numbers(
    rng: np.random.Generator,
    *,
    channel: npt.NDArray[np.int64],
    seller: npt.NDArray[np.int64],
    dispatch_day: npt.NDArray[np.int64],
    postal_service: Sequence[str],
    express_carrier: Sequence[str],
    ecommerce_carrier: Sequence[str],
    seller_country: Sequence[str],
) -> npt.NDArray[np.object_]:
    """One unique tracking number per parcel.

    Args:
        rng: random generator.
        channel: 0 postal, 1 express, 2 ecommerce, per parcel.
        seller: seller index per parcel.
        dispatch_day: day number the parcel was handed over (orders serials within a sender).
        postal_service: S10 service indicator per seller.
        express_carrier: express carrier per seller.
        ecommerce_carrier: e-commerce logistics brand per seller.
        seller_country: shipper country per seller (the S10 country code).
    """
    n = len(channel)
    out = np.empty(n, dtype=object)
    # Postal: S10 serials in blocks per (service, country), one block per sender, increasing by dispatch day.
    post = np.flatnonzero(channel == 0)
    if len(post):
        svc = np.asarray([postal_service[s] + seller_country[s] for s in seller[post].tolist()])
        _uniq, group = np.unique(svc, return_inverse=True)
        order = np.lexsort((rng.random(len(post)), dispatch_day[post], seller[post], group))
        g_sorted = group[order]
        s_sorted = seller[post][order]
        step = rng.integers(1, 4, size=len(post)).astype(np.int64)
        new_sender = _runs(g_sorted * 1_000_000 + s_sorted)
        step[new_sender] = rng.integers(200, 3000, size=int(new_sender.sum()))
        starts = np.flatnonzero(_runs(g_sorted))
        csum = np.cumsum(step)
        group_offset = np.repeat(csum[starts] - step[starts], np.diff(np.append(starts, len(post))))
        base = rng.integers(1_000_000, 40_000_000, size=len(_uniq))
        serial = (base[g_sorted] + csum - group_offset) % 100_000_000
        checks = s10_check_digits(serial)
        codes = svc[order]
        values = [
            f"{c[:2]}{s:08d}{k}{c[2:]}"
            for c, s, k in zip(codes.tolist(), serial.tolist(), checks.tolist(), strict=True)
        ]
        out[post[order]] = values
    # Express and e-commerce: carrier formats from random serials.
    for ch in (1, 2):
        sel = np.flatnonzero(channel == ch)
        carriers = express_carrier if ch == 1 else ecommerce_carrier
        names = np.asarray([carriers[s] for s in seller[sel].tolist()])
        for carrier in sorted(set(names.tolist())):
            idx = sel[names == carrier]
            out[idx] = _carrier_numbers(rng, carrier, seller[idx])
    # Enforce uniqueness (random collisions are astronomically rare but cheap to rule out).
    values_all = out.astype(str)
    _u, first, counts = np.unique(values_all, return_index=True, return_counts=True)
    if (counts > 1).any():
        dup = np.setdiff1d(np.arange(n), first)
        out[dup] = [f"{v}{k}" for k, v in enumerate(out[dup].tolist())]
    return out


def _carrier_numbers(rng: np.random.Generator, carrier: str, sellers: npt.NDArray[np.int64]) -> list[str]:
    n = len(sellers)
    if carrier == "DHL":
        d9 = rng.integers(10**8, 10**9, size=n)
        return [f"{d}{d % 7}" for d in d9.tolist()]
    if carrier == "UPS":
        # The 6 characters after 1Z are the shipper's account: constant per seller.
        acct = ["".join(_ALNUM[(s * 7919 + k * 104729) % len(_ALNUM)] for k in range(6)) for s in sellers.tolist()]
        svc = rng.choice(["01", "02", "03", "66", "67"], size=n)
        digs = _random_digits(rng, n, 8)
        return [f"1Z{a}{v}{d}" for a, v, d in zip(acct, svc.tolist(), digs, strict=True)]
    if carrier == "FedEx":
        return [f"7{d}" for d in _random_digits(rng, n, 11)]
    if carrier == "SF":
        return [f"SF{d}" for d in _random_digits(rng, n, 13)]
    if carrier == "Cainiao":
        return [f"LP00{d}" for d in _random_digits(rng, n, 12)]
    if carrier == "YunExpress":
        return [f"YT{d}" for d in _random_digits(rng, n, 16)]
    if carrier == "4PX":
        return [f"4PX{d}CN" for d in _random_digits(rng, n, 13)]
    if carrier == "UniUni":
        return [f"UUS{d}" for d in _random_digits(rng, n, 16)]
    if carrier in ("CJ", "Hanjin"):
        lead = "6" if carrier == "CJ" else "5"
        return [f"{lead}{d}" for d in _random_digits(rng, n, 11)]
    return [f"GM{d}" for d in _random_digits(rng, n, 18)]  # DHL eCommerce


def order_ids(
    rng: np.random.Generator,
    *,
    order_key: npt.NDArray[np.int64],
    platform: Sequence[str],
    seller_country: Sequence[str],
    order_day: npt.NDArray[np.int64],
) -> npt.NDArray[np.object_]:
    """One order number per parcel; parcels sharing `order_key` share the number.

    Formats follow each platform's public order numbers (Taobao 19 digits, AliExpress 16, Amazon `3-7-7`,
    eBay `2-5-5`, Rakuten shop-date-serial, Temu `PO-211-...`); direct shops use short shop-style numbers.

    Args:
        rng: random generator.
        order_key: order group per parcel.
        platform: platform per parcel.
        seller_country: seller country per parcel.
        order_day: order date per parcel as days since 1970-01-01.
    """
    keys, first, inverse = np.unique(order_key, return_index=True, return_inverse=True)
    m = len(keys)
    r = rng.integers(0, 10**9, size=(m, 3), dtype=np.int64)
    days = np.asarray(order_day)[first].astype("datetime64[D]").astype(str)
    ids: list[str] = []
    amazon_prefix = {"US": "11", "JP": "25", "GB": "20", "DE": "30", "FR": "40", "IT": "40", "ES": "40"}
    for j in range(m):
        p = platform[int(first[j])]
        c = seller_country[int(first[j])]
        a, b, d = (int(x) for x in r[j])
        ymd = days[j].replace("-", "")
        if p in ("Taobao", "Tmall"):
            ids.append(f"{a % 9 + 1}{b:09d}{d:09d}")
        elif p == "AliExpress":
            ids.append(f"81{b % 10**5:05d}{d:09d}")
        elif p == "Temu":
            ids.append(f"PO-211-{a % 10**8:08d}{b:09d}")
        elif p == "Shein":
            ids.append(f"GSU{ymd[2:]}{d % 10**5:05d}")
        elif p == "Amazon":
            ids.append(f"{amazon_prefix.get(c, '40')}{a % 9 + 1}-{b % 10**7:07d}-{d % 10**7:07d}")
        elif p == "eBay":
            ids.append(f"{a % 90 + 10}-{b % 10**5:05d}-{d % 10**5:05d}")
        elif p == "Rakuten":
            ids.append(f"{a % 900000 + 100000}-{ymd}-{d % 10**10:010d}")
        elif p in ("Coupang", "Walmart", "Lazada", "Qoo10"):
            ids.append(f"{a % 9 + 1}{b:09d}{d % 1000:03d}")
        elif p == "Shopee":
            ids.append(f"{ymd[2:]}{''.join(_ALNUM[(b >> (5 * k)) % len(_ALNUM)] for k in range(8))}")
        elif p == "Naver SmartStore":
            ids.append(f"{ymd}{b % 10**8:08d}")
        elif a % 3 == 0:
            ids.append(f"#{b % 90000 + 1000}")
        elif a % 3 == 1:
            ids.append(f"ORD-{ymd[:4]}-{b % 10**6:06d}")
        else:
            ids.append(f"INV{d % 10**7:07d}")
    return np.asarray(ids, dtype=object)[inverse]


def master_awbs(
    rng: np.random.Generator,
    *,
    destination: Sequence[str],
    shipper_country: Sequence[str],
    carrier: Sequence[str],
    channel: npt.NDArray[np.int64],
    arrival_day: npt.NDArray[np.int64],
) -> npt.NDArray[np.object_]:
    """Master air waybill per parcel: express and e-commerce parcels of one carrier, route and arrival day are
    consolidated in batches of 80-400 under one master; postal items get none (they travel in postal
    dispatches)."""
    n = len(channel)
    out = np.full(n, "", dtype=object)
    idx = np.flatnonzero(channel != 0)
    if not len(idx):
        return out
    key = np.asarray([f"{destination[i]}|{shipper_country[i]}|{carrier[i]}|{arrival_day[i]}" for i in idx.tolist()])
    _u, group = np.unique(key, return_inverse=True)
    order = np.lexsort((rng.random(len(idx)), group))
    g_sorted = group[order]
    starts = np.flatnonzero(_runs(g_sorted))
    rank = np.arange(len(idx)) - np.repeat(starts, np.diff(np.append(starts, len(idx))))
    size = rng.integers(80, 400, size=len(_u))
    chunk = rank // size[g_sorted]
    batch_key = g_sorted.astype(np.int64) * 10_000 + chunk
    batches, binv = np.unique(batch_key, return_inverse=True)
    serial7 = rng.integers(1_000_000, 9_999_999, size=len(batches))
    first_of_batch = np.zeros(len(batches), dtype=np.int64)
    first_of_batch[binv[::-1]] = np.arange(len(idx))[::-1]
    labels: list[str] = []
    for b in range(len(batches)):
        i = int(idx[order[first_of_batch[b]]])
        route = (shipper_country[i], destination[i])
        if carrier[i] in _EXPRESS_AIRLINE and channel[i] == 1:
            prefix = _EXPRESS_AIRLINE[carrier[i]]
        else:
            options = _AIRLINES.get(route, _DEFAULT_AIRLINES.get(destination[i], ("180",)))
            prefix = options[int(serial7[b]) % len(options)]
        s = int(serial7[b])
        labels.append(f"{prefix}-{s:07d}{awb_check_digit(s)}")
    out[idx[order]] = np.asarray(labels, dtype=object)[binv]
    return out
