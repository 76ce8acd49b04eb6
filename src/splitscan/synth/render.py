"""Turn the numeric parcel plan into the input-contract columns (text), applying the noise profile.

Each consignee writes name, address and phone in a habitual way; the noise profile decides how often a record
deviates (another style, a romanisation variant, a missing unit, a typo, another phone format), how often
optional fields are missing, and how often postcodes come in legacy or ZIP+4 form. Schemes may override the
consignee text (disguised splits and rings write it themselves) or forbid variation (simple splits).
"""

from __future__ import annotations

import logging
import random
from datetime import date
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from splitscan.contracts import load_contract
from splitscan.synth.ids import master_awbs, order_ids, tracking_numbers
from splitscan.synth.people import (
    BUSINESS,
    KR_PERSON,
    address_variant,
    name_variant,
    phone_variant,
    render_address,
    render_name,
    render_phone,
)
from splitscan.synth.plan import Context
from splitscan.synth.sellers import APPROX_UNITS_PER_USD, CHANNELS, GENERIC_DESCRIPTIONS
from splitscan.synth.tables import kcs_tables

__all__ = ["INPUT_COLUMNS", "OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "declared_amounts", "render_plan"]

logger = logging.getLogger(__name__)

# The input contract is the single source of the columns and their order.
_RAW_CONTRACT = load_contract("raw/import_declarations")
REQUIRED_COLUMNS: Final[tuple[str, ...]] = tuple(_RAW_CONTRACT.required_columns)
OPTIONAL_COLUMNS: Final[tuple[str, ...]] = tuple(c for c in _RAW_CONTRACT.column_names if c not in REQUIRED_COLUMNS)
INPUT_COLUMNS: Final[tuple[str, ...]] = tuple(_RAW_CONTRACT.column_names)

# Base probability that an optional field is empty, before the noise profile's missing_factor.
_MISSING: Final[dict[str, float]] = {
    "order_date": 0.08,
    "declaration_date": 0.04,
    "consignee_postcode": 0.02,
    "consignee_phone": 0.02,
    "consignee_email": 0.0,
    "shipper_name": 0.01,
    "shipper_country": 0.02,
    "seller_id": 0.04,
    "order_id": 0.08,
    "tracking_number": 0.003,
    "hs_code": 0.10,
    "goods_description": 0.01,
    "quantity": 0.04,
    "gross_weight_kg": 0.04,
    "origin_country": 0.06,
}
_EPOCH: Final = date(1970, 1, 1).toordinal()


def _days_to_text(days: npt.NDArray[np.int64]) -> npt.NDArray[np.object_]:
    return np.asarray(days.astype("datetime64[D]").astype(str), dtype=object)


def declared_amounts(
    rng: np.random.Generator, value_usd: npt.NDArray[np.float64], currency: npt.NDArray[np.object_]
) -> npt.NDArray[np.float64]:
    """Declared amounts in each row's currency, with shop-like price endings (x.99, x.00, round yen and won).

    Endings only ever round down, so a value designed to stay under a threshold stays under it.
    """
    rate = pd.Series(currency).map(APPROX_UNITS_PER_USD).fillna(1.0).to_numpy(dtype=np.float64)
    amount = value_usd * rate
    out = np.floor(amount * 100.0) / 100.0
    r = rng.random(len(amount))
    whole = np.floor(amount)
    cents = np.isin(currency, ["JPY", "KRW"], invert=True)
    ends99 = cents & (r < 0.35) & (whole >= 1)
    out = np.where(ends99, whole - 0.01, out)
    out = np.where(cents & (r >= 0.35) & (r < 0.55), whole, out)
    out = np.where(cents & (r >= 0.55) & (r < 0.62), np.floor(amount - 0.9) + 0.9, out)
    jpy = currency == "JPY"
    step_j = np.where(r < 0.5, 10.0, np.where(r < 0.8, 100.0, 1.0))
    out = np.where(jpy, np.floor(amount / step_j) * step_j, out)
    krw = currency == "KRW"
    step_k = np.where(r < 0.5, 100.0, np.where(r < 0.9, 1000.0, 10.0))
    out = np.where(krw, np.floor(amount / step_k) * step_k, out)
    return np.asarray(np.maximum(out, 0.0), dtype=np.float64)


def _hs_text(rng: np.random.Generator, hs6: npt.NDArray[np.int64]) -> npt.NDArray[np.object_]:
    codes = np.asarray(kcs_tables().hs6, dtype=object)[hs6]
    r = rng.random(len(hs6))
    out = codes.copy()
    dotted = r < 0.15
    out[dotted] = [f"{c[:4]}.{c[4:]}" for c in codes[dotted].tolist()]
    ten = (r >= 0.15) & (r < 0.25)
    tails = rng.choice(["0000", "1000", "9000", "2000"], size=int(ten.sum()))
    out[ten] = [f"{c}{t}" for c, t in zip(codes[ten].tolist(), tails.tolist(), strict=True)]
    return out


def render_plan(
    ctx: Context, plan: dict[str, npt.NDArray[Any]], rng: np.random.Generator, *, seed_text: int
) -> pd.DataFrame:
    """Render every plan row into the input-contract columns (None = empty field).

    Args:
        ctx: generation context (population, sellers, noise profile).
        plan: plan columns (see `plan.PLAN_COLUMNS`).
        rng: random generator for vectorised draws.
        seed_text: seed of the string-level generator used for name, address and phone variants.

    Returns:
        A frame with `INPUT_COLUMNS` (without `record_id`, assigned when files are laid out) plus the
        internal columns `_arrival_day`, `_channel`, `_scheme`, `_person`, `_role`, `_id_source`,
        `_value_usd` and `_amount`.
    """
    pop = ctx.pop
    sellers = ctx.sellers
    prof = ctx.profile
    srng = random.Random(seed_text)
    n = len(plan["person"])
    person = plan["person"]
    seller = plan["seller"]
    channel = plan["channel"]
    mf = prof.missing_factor

    def missing(col: str, base: float | None = None) -> npt.NDArray[np.bool_]:
        p = min(0.9, (_MISSING[col] if base is None else base) * mf)
        return np.asarray(rng.random(n) < p, dtype=np.bool_)

    free = np.asarray([t is None for t in plan["name_text"].tolist()]) & ~plan["exact"]
    name_var = free & (rng.random(n) < prof.name_variant)
    addr_var = np.asarray([t is None for t in plan["addr_text"].tolist()]) & ~plan["exact"]
    addr_var &= rng.random(n) < prof.address_variant
    phone_var = np.asarray([t is None for t in plan["phone_text"].tolist()]) & ~plan["exact"]
    phone_var &= rng.random(n) < prof.phone_variant

    # Names: habitual text once per person, variants per record.
    uniq_p, inv_p = np.unique(person, return_inverse=True)
    hab_name = np.asarray([render_name(pop, int(p)) for p in uniq_p.tolist()], dtype=object)
    names = hab_name[inv_p]
    for i in np.flatnonzero(name_var).tolist():
        p = int(person[i])
        names[i] = name_variant(pop, p, srng, typo_rate=prof.typo, avoid={names[i]})
    override = np.asarray([t is not None for t in plan["name_text"].tolist()])
    names[override] = plan["name_text"][override]

    # Addresses: habitual text per (address, writer's style).
    style = np.asarray(pop.p_addr_style, dtype=np.int64)[person]
    key = plan["addr"] * 16 + style
    uniq_a, inv_a = np.unique(key, return_inverse=True)
    hab_addr = np.asarray([render_address(pop, int(k // 16), int(k % 16)) for k in uniq_a.tolist()], dtype=object)
    addrs = hab_addr[inv_a]
    for i in np.flatnonzero(addr_var).tolist():
        addrs[i] = address_variant(
            pop, int(plan["addr"][i]), int(style[i]), srng, typo_rate=prof.typo, avoid={addrs[i]}
        )
    override = np.asarray([t is not None for t in plan["addr_text"].tolist()])
    addrs[override] = plan["addr_text"][override]

    # Phones.
    fmt = np.asarray(pop.p_phone_fmt, dtype=np.int64)[person]
    key = plan["phone"] * 8 + fmt
    uniq_ph, inv_ph = np.unique(key, return_inverse=True)
    hab_phone = np.asarray([render_phone(pop, int(k // 8), int(k % 8)) for k in uniq_ph.tolist()], dtype=object)
    phones = hab_phone[inv_ph]
    for i in np.flatnonzero(phone_var).tolist():
        phones[i] = phone_variant(pop, int(plan["phone"][i]), int(fmt[i]), srng, typo_rate=0.1 * prof.typo)
    override = np.asarray([t is not None for t in plan["phone_text"].tolist()])
    phones[override] = plan["phone_text"][override]
    phones[missing("consignee_phone") & ~override & ~plan["exact"]] = None

    # Postcodes: 5-digit Korean codes / US ZIP, sometimes missing, legacy 6-digit (KR) or ZIP+4 (US).
    building = np.asarray(pop.a_building, dtype=np.int64)[plan["addr"]]
    postcode = np.asarray(pop.b_postcode, dtype=object)[building]
    zip4 = np.asarray(pop.b_zip4, dtype=object)[building]
    dest = plan["dest"]
    odd = (rng.random(n) < prof.postcode_odd) & ~plan["exact"]
    kr = dest == "KR"
    legacy = odd & kr & (rng.random(n) < 0.5)
    legacy_codes = rng.integers(100, 1000, size=(n, 2))
    postcode = postcode.copy()
    postcode[legacy] = [f"{a}-{b}" for a, b in legacy_codes[legacy].tolist()]
    plus4 = odd & ~kr & (rng.random(n) < 0.6) & (zip4 != "")
    postcode[plus4] = [f"{z}-{p}" for z, p in zip(postcode[plus4].tolist(), zip4[plus4].tolist(), strict=True)]
    postcode[(odd & ~legacy & ~plus4) | missing("consignee_postcode")] = None

    # Customs identifiers: PCCC on most Korean individual records, business numbers, never on US individuals.
    kind = np.asarray(pop.p_kind, dtype=np.int64)[person]
    cid = np.asarray(pop.p_customs_id, dtype=object)[person].copy()
    id_mode = plan["id_mode"]
    drop = np.zeros(n, dtype=bool)
    individual_kr = (kind != BUSINESS) & kr
    drop |= individual_kr & (rng.random(n) < prof.pccc_missing)
    drop |= (kind == BUSINESS) & (rng.random(n) < np.where(kr, 0.15, 0.4))
    drop = (drop & (id_mode == 0)) | (id_mode == 1)
    cid[drop] = None
    cid[cid == ""] = None
    lower = individual_kr & ~drop & (rng.random(n) < 0.01 * mf) & ~plan["exact"]
    cid[lower] = [str(c).lower() for c in cid[lower].tolist()]

    email = np.asarray(pop.p_email, dtype=object)[person].copy()
    keep_email = (rng.random(n) < min(0.95, 0.55 / mf)) & (plan["email_mode"] == 0)
    email[~keep_email | (email == "")] = None
    override = np.asarray([t is not None for t in plan["email_text"].tolist()])
    email[override] = plan["email_text"][override]

    # Seller side.
    s_id = np.asarray(sellers.seller_id, dtype=object)[seller]
    s_platform = np.asarray(sellers.platform, dtype=object)[seller]
    s_country = np.asarray(sellers.country, dtype=object)[seller]
    shipper_name = np.asarray(sellers.shipper_name, dtype=object)[seller].copy()
    upper = rng.random(n) < 0.08
    shipper_name[upper] = [str(x).upper() for x in shipper_name[upper].tolist()]
    has_ship = plan["shipper_name"] != ""
    shipper_name[has_ship] = plan["shipper_name"][has_ship]
    shipper_country = s_country.copy()
    has_sc = plan["shipper_country"] != ""
    shipper_country[has_sc] = plan["shipper_country"][has_sc]
    currency = np.asarray(sellers.currency, dtype=object)[seller].copy()
    has_cur = plan["currency"] != ""
    currency[has_cur] = plan["currency"][has_cur]
    amount = declared_amounts(rng, plan["value_usd"], currency)

    origin = np.asarray(sellers.origin, dtype=object)[seller].copy()
    t = kcs_tables()
    other = rng.random(n) < 0.15
    for c in sorted(set(s_country[other].tolist())):
        sel = other & (s_country == c)
        table = t.origin.get(c)
        if table is not None:
            origin[sel] = np.asarray(table.values, dtype=object)[
                rng.choice(len(table.values), size=int(sel.sum()), p=table.probs)
            ]

    # Goods description: the seller's usual wording per heading, sometimes vague.
    pairs = seller * 10_000 + plan["hs6"]
    uniq_pair, inv_pair = np.unique(pairs, return_inverse=True)
    desc_u = np.asarray([ctx.description(int(k // 10_000), int(k % 10_000)) for k in uniq_pair.tolist()], dtype=object)
    desc = desc_u[inv_pair]
    vague = rng.random(n) < 0.04
    desc[vague] = rng.choice(np.asarray(GENERIC_DESCRIPTIONS, dtype=object), size=int(vague.sum()))
    has_desc = plan["desc"] != ""
    desc[has_desc] = plan["desc"][has_desc]
    qty_prefix = (rng.random(n) < 0.04) & (plan["quantity"] > 1)
    desc[qty_prefix] = [
        f"{q} x {d}" for q, d in zip(plan["quantity"][qty_prefix].tolist(), desc[qty_prefix].tolist(), strict=True)
    ]

    arrival_abs = plan["arrival"] + ctx.start.toordinal() - _EPOCH
    order_abs = plan["order_day"] + ctx.start.toordinal() - _EPOCH
    decl_shift = rng.choice([0, 1, 2, -1], size=n, p=[0.65, 0.25, 0.07, 0.03])
    weight = plan["weight"]
    weight_txt = np.where(weight < 0.1, np.char.mod("%.3f", weight), np.char.mod("%.2f", weight)).astype(object)
    express_carrier = np.asarray(sellers.express, dtype=object)[seller]
    ecommerce_carrier = np.asarray(sellers.ecommerce, dtype=object)[seller]
    carrier = np.where(channel == 1, express_carrier, ecommerce_carrier)

    cols: dict[str, Any] = {
        "destination_country": dest.astype(object),
        "arrival_date": _days_to_text(arrival_abs),
        "consignee_name": names,
        "consignee_address": addrs,
        "declared_value": np.char.mod("%.2f", amount).astype(object),
        "currency": currency,
        "channel": np.asarray(CHANNELS, dtype=object)[channel],
        "order_date": _days_to_text(order_abs),
        "declaration_date": _days_to_text(arrival_abs + decl_shift),
        "consignee_postcode": postcode,
        "consignee_phone": phones,
        "consignee_id": cid,
        "consignee_email": email,
        "shipper_name": shipper_name,
        "shipper_country": shipper_country,
        "seller_id": s_id,
        "platform": s_platform,
        "order_id": order_ids(
            rng,
            order_key=plan["order_key"],
            platform=s_platform.tolist(),
            seller_country=s_country.tolist(),
            order_day=order_abs,
        ),
        "tracking_number": tracking_numbers(
            rng,
            channel=channel,
            seller=seller,
            dispatch_day=plan["order_day"] + 1,
            postal_service=sellers.postal,
            express_carrier=sellers.express,
            ecommerce_carrier=sellers.ecommerce,
            seller_country=sellers.country,
        ),
        "master_awb": master_awbs(
            rng,
            destination=dest.tolist(),
            shipper_country=shipper_country.tolist(),
            carrier=carrier.tolist(),
            channel=channel,
            arrival_day=plan["arrival"],
        ),
        "hs_code": _hs_text(rng, plan["hs6"]),
        "goods_description": desc,
        "quantity": plan["quantity"].astype(str).astype(object),
        "gross_weight_kg": weight_txt,
        "origin_country": origin,
    }
    for col in _MISSING:
        if col in ("consignee_phone", "consignee_postcode", "consignee_email"):
            continue
        base = _MISSING[col] * (2.5 if col == "hs_code" else 1.0)
        m = missing(col, base) if col == "hs_code" else missing(col)
        if col == "hs_code":
            m &= (channel == 0) | (rng.random(n) < 0.4)
        cols[col] = np.asarray(cols[col], dtype=object)
        cols[col][m] = None
    cols["platform"][cols["platform"] == ""] = None
    cols["master_awb"][cols["master_awb"] == ""] = None
    df = pd.DataFrame(cols)
    df["_arrival_day"] = plan["arrival"]
    df["_channel"] = channel
    df["_scheme"] = plan["scheme"]
    df["_person"] = person
    df["_addr"] = plan["addr"]
    df["_phone"] = plan["phone"]
    df["_role"] = plan["role"]
    df["_id_source"] = plan["id_source"]
    df["_value_usd"] = plan["value_usd"]
    df["_amount"] = amount
    df["_kind"] = np.where(kind == KR_PERSON, "kr", np.where(kind == BUSINESS, "business", "western"))
    logger.info(
        "rendered %d records (%d name, %d address, %d phone variants)",
        n,
        int(name_var.sum()),
        int(addr_var.sum()),
        int(phone_var.sum()),
    )
    return df
