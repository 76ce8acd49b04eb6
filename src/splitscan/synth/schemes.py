"""Injected schemes with ground truth.

Fraud (labelled in `truth/records.csv` and `truth/schemes.csv`):

* `simple_split`: one purchase over the threshold split into 2-6 parcels each under it: same seller and order
  date, arriving the same day or a few days apart, the consignee written the same way on every parcel.
* `disguised_split`: the same, but the consignee's name, address and phone are written differently on every
  parcel (romanisation variants, spacing, token order, typos, missing unit, phone formats; PCCC sometimes
  missing).
* `nominee_ring`: an organiser spreads one supply (same seller(s), overlapping dates) over 3-30 identities:
  relatives, friends and stolen PCCCs whose registered address and phone differ from the delivery address,
  delivered to a few addresses and phones (domain.md §2.2).
* `drip_import`: one consignee receives many under-threshold parcels of the same goods from one seller over
  months (business volume disguised as personal use).

Labelled but not fraud: `carrier_split` (one order split by the carrier for size or weight: "aggregate, not
fraud", domain.md §4) and `brushing` (one seller fans out near-zero-value parcels to random consignees).

Every part of a split is under the threshold and every split's total over it, in USD at the approximate rates of
`sellers.APPROX_UNITS_PER_USD`, with a per-currency margin so that the statement also holds at any ECB rate of
2023-2026 (`sellers.FX_MARGIN`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from splitscan.synth.people import (
    BUSINESS,
    KR_NAME_STYLES,
    KR_PERSON,
    PHONE_FORMATS,
    US_NAME_STYLES,
    Population,
    address_variant,
    name_variant,
    render_address,
    render_name,
    render_phone,
)
from splitscan.synth.plan import Context, PlanBuilder, SchemeInfo
from splitscan.synth.sellers import FX_MARGIN, sample_goods, sample_value_mass

__all__ = ["FRAUD_SHARES", "SCHEME_PREFIX", "SCHEME_TYPES", "SchemeBudget", "inject_schemes"]

logger = logging.getLogger(__name__)

SCHEME_TYPES: Final[tuple[str, ...]] = (
    "simple_split",
    "disguised_split",
    "nominee_ring",
    "drip_import",
    "carrier_split",
    "brushing",
)
FRAUD_TYPES: Final[tuple[str, ...]] = SCHEME_TYPES[:4]
SCHEME_PREFIX: Final[dict[str, str]] = {
    "simple_split": "SS",
    "disguised_split": "DS",
    "nominee_ring": "NR",
    "drip_import": "DI",
    "carrier_split": "CS",
    "brushing": "BR",
}
# Share of the fraud records by scheme type.
FRAUD_SHARES: Final[dict[str, float]] = {
    "simple_split": 0.30,
    "disguised_split": 0.25,
    "nominee_ring": 0.30,
    "drip_import": 0.15,
}
MIN_DRIP_DAYS: Final = 60
_SPLIT_PARTS: Final = (np.array([2, 3, 4, 5, 6]), np.array([0.35, 0.25, 0.18, 0.12, 0.10]))


@dataclass(frozen=True)
class SchemeBudget:
    """Records to spend on each scheme type in one jurisdiction."""

    jurisdiction: str
    records: dict[str, int]


def _caps(threshold: float, currency: str) -> tuple[float, float]:
    """(largest part value, smallest total value) in USD that stay under / over `threshold` at any plausible
    ECB rate for `currency`."""
    m = FX_MARGIN.get(currency, 0.15)
    return 0.98 * threshold / (1.0 + m), 1.05 * threshold * (1.0 + m)


def _split_values(rng: np.random.Generator, total: float, k: int, cap: float) -> npt.NDArray[np.float64]:
    """`k` positive values summing to `total`, each at most `cap` (requires total < k * cap)."""
    v = rng.dirichlet(np.full(k, 4.0)) * total
    for _ in range(50):
        over = v > cap
        if not over.any():
            break
        excess = float((v[over] - cap).sum())
        v[over] = cap
        room = np.where(~over, cap - v, 0.0)
        v += room / room.sum() * excess
    return np.minimum(v, cap)


class _Injector:
    """Creates schemes for one run; holds the context, the plan being built and a string-level RNG."""

    def __init__(self, ctx: Context, rng: np.random.Generator, plan: PlanBuilder) -> None:
        self.ctx = ctx
        self.rng = rng
        self.plan = plan
        self.srng = random.Random(int(rng.integers(0, 2**63)))
        self.counters = dict.fromkeys(SCHEME_TYPES, 0)
        self.notes: list[str] = []

    # -------------------------------------------------------------- helpers
    @property
    def pop(self) -> Population:
        return self.ctx.pop

    def _new_scheme(
        self, scheme_type: str, jur: str, threshold: float | None, sellers: list[int], organiser: int = -1
    ) -> int:
        self.counters[scheme_type] += 1
        sid = f"{SCHEME_PREFIX[scheme_type]}-{self.counters[scheme_type]:05d}"
        ids = tuple(dict.fromkeys(self.ctx.sellers.seller_id[s] for s in sellers))
        self.ctx.schemes.append(SchemeInfo(sid, scheme_type, jur, threshold, ids, organiser))
        return len(self.ctx.schemes) - 1

    def _new_person(self, jur: str) -> int:
        pop = self.pop
        hh = pop.new_household_ids(1)
        if jur == "KR":
            home = pop.new_kr_home_addresses(self.rng, 1)
            return pop.new_kr_persons(self.rng, homes=home, households=hh, entity_class="regular")[0]
        home = pop.new_us_home_addresses(self.rng, 1)
        return pop.new_western_persons(self.rng, jur="US", homes=home, households=hh, entity_class="regular")[0]

    def _consignee(self, jur: str, p_existing: float) -> int:
        cand = self.ctx.individuals.get(jur)
        if cand is not None and len(cand) and self.rng.random() < p_existing:
            return int(cand[self.rng.integers(0, len(cand))])
        return self._new_person(jur)

    def _seller_with_window(self, jur: str, span: int) -> tuple[int, npt.NDArray[np.int64]] | None:
        """A seller and the anchor days on which a `span`-day scheme stays inside threshold days."""
        for _attempt in range(25):
            s = int(self.ctx.draw_sellers(jur, 1, self.rng)[0])
            mask = self.ctx.threshold_days(jur, self.ctx.sellers.country[s])
            if span > 1:
                ok = np.convolve(mask.astype(np.int64), np.ones(span, dtype=np.int64), mode="valid") == span
                anchors = np.flatnonzero(ok)
            else:
                anchors = np.flatnonzero(mask)
            if len(anchors):
                return s, anchors.astype(np.int64)
        return None

    def _anchor(self, seller: int, anchors: npt.NDArray[np.int64]) -> int:
        w = self.ctx.season[self.ctx.seller_region[seller]][anchors]
        return int(self.rng.choice(anchors, p=w / w.sum()))

    def _goods(self, seller: int, k: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        hs6 = sample_goods(self.ctx.sellers, np.full(k, seller, dtype=np.int64), self.rng)
        _v, mass = sample_value_mass(hs6, self.rng)
        return hs6, mass

    def _weights(self, mass: npt.NDArray[np.float64], qty: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        return np.asarray(
            np.clip(mass * qty**0.85 * self.rng.uniform(1.05, 1.3, size=len(mass)) + 0.03, 0.02, 30.0),
            dtype=np.float64,
        )

    def _channel(self, seller: int) -> int:
        return int(self.ctx.draw_channels(np.array([seller], dtype=np.int64), self.rng)[0])

    def _transit(self, channel: int) -> int:
        return int(self.ctx.transit_days(np.array([channel], dtype=np.int64), self.rng)[0])

    def _habitual_phone(self, person: int) -> int:
        pop = self.pop
        house = pop.p_house_phone[person]
        return house if house >= 0 and self.rng.random() < 0.5 else pop.p_mobile[person]

    # -------------------------------------------------------------- splits
    def split(self, jur: str, budget: int, *, disguised: bool) -> int:
        """One simple or disguised split using at most `budget` records; returns records used."""
        k = int(self.rng.choice(_SPLIT_PARTS[0], p=_SPLIT_PARTS[1]))
        k = min(k, budget)
        if k < 2:
            return 0
        found = self._seller_with_window(jur, 5)
        if found is None:
            return 0
        seller, anchors = found
        sellers = self.ctx.sellers
        day0 = self._anchor(seller, anchors)
        thr = self.ctx.threshold(jur, sellers.country[seller], day0)
        if thr is None:
            return 0
        cap, floor_total = _caps(thr, sellers.currency[seller])
        k = max(k, int(np.ceil(floor_total / (0.9 * cap))))
        if k > budget:
            return 0
        total = float(self.rng.uniform(floor_total, min(0.95 * k * cap, 4.0 * thr)))
        values = _split_values(self.rng, total, k, cap)
        person = self._consignee(jur, 0.6)
        scheme_type = "disguised_split" if disguised else "simple_split"
        idx = self._new_scheme(scheme_type, jur, thr, [seller], person)
        channel = self._channel(seller)
        order_day = day0 - self._transit(channel)
        spread = (0, 0, 0, 1, 1, 2, 3, 4) if not disguised else (0, 0, 1, 1, 2, 3, 4, 5)
        arrival = day0 + np.asarray([self.srng.choice(spread) for _ in range(k)], dtype=np.int64)
        arrival[0] = day0
        hs6, mass = self._goods(seller, k)
        qty = self.rng.choice([1, 1, 1, 2, 3], size=k).astype(np.int64)
        shared_order = self.rng.random() < (0.2 if disguised else 0.45)
        keys = self.ctx.new_order_keys(1 if shared_order else k)
        order_key = np.repeat(keys, k) if shared_order else keys
        pop = self.pop
        home = pop.p_home[person]
        phone = self._habitual_phone(person)
        common = {
            "dest": jur,
            "person": person,
            "addr": home,
            "phone": phone,
            "seller": seller,
            "channel": channel,
            "arrival": arrival,
            "order_day": order_day,
            "hs6": hs6,
            "value_usd": values,
            "quantity": qty,
            "weight": self._weights(mass, qty),
            "order_key": order_key,
            "scheme": idx,
        }
        if not disguised:
            self.plan.add(k, **common, exact=True, id_mode=2)
            return k
        names, addrs, phones = self._disguises(person, home, phone, k)
        id_mode = np.where(self.rng.random(k) < 0.35, 1, 2)
        id_mode[0] = 2
        self.plan.add(
            k,
            **common,
            name_text=names,
            addr_text=addrs,
            phone_text=phones,
            id_mode=id_mode,
            email_mode=np.where(self.rng.random(k) < 0.7, 1, 0),
        )
        return k

    def _disguises(self, person: int, addr: int, phone: int, k: int) -> tuple[list[str], list[str], list[str]]:
        """`k` pairwise different ways of writing the consignee's name, address and phone."""
        pop = self.pop
        typo_rate = max(0.3, self.ctx.profile.typo)
        names = [render_name(pop, person)]
        style = pop.p_addr_style[person]
        addrs = [render_address(pop, addr, style)]
        for _ in range(k - 1):
            names.append(name_variant(pop, person, self.srng, typo_rate=typo_rate, avoid=set(names)))
            addrs.append(address_variant(pop, addr, style, self.srng, typo_rate=typo_rate, avoid=set(addrs)))
        fmts = [pop.p_phone_fmt[person], *self.srng.sample(range(PHONE_FORMATS), PHONE_FORMATS)]
        phones: list[str] = []
        for f in fmts:
            text = render_phone(pop, phone, f)
            if text not in phones:
                phones.append(text)
        while len(phones) < k:
            phones.append(phones[-1].replace("-", " ") + " ")
        return names, addrs, phones[:k]

    # -------------------------------------------------------------- drip imports
    def drip(self, jur: str, budget: int) -> int:
        """One drip import; returns records used."""
        n = min(int(self.rng.integers(6, 31)), budget)
        if n < 6 or self.ctx.n_days < MIN_DRIP_DAYS:
            return 0
        span = int(self.rng.integers(MIN_DRIP_DAYS, min(181, self.ctx.n_days + 1)))
        found = self._seller_with_window(jur, span)
        if found is None:
            return 0
        seller, anchors = found
        sellers = self.ctx.sellers
        day0 = int(self.rng.choice(anchors))
        thr = self.ctx.threshold(jur, sellers.country[seller], day0)
        if thr is None:
            return 0
        cap, _floor = _caps(thr, sellers.currency[seller])
        inner = np.sort(self.rng.choice(np.arange(1, span - 1), size=n - 2, replace=False))
        arrival = np.concatenate([[day0], day0 + inner, [day0 + span - 1]]).astype(np.int64)
        person = self._consignee(jur, 0.7)
        idx = self._new_scheme("drip_import", jur, thr, [seller], person)
        hs6_one, mass_one = self._goods(seller, 1)
        unit = float(self.rng.uniform(0.35, 0.85)) * cap
        values = np.minimum(unit * self.rng.uniform(0.9, 1.1, size=n), cap)
        qty = np.full(n, int(self.rng.choice([1, 2, 3, 5])), dtype=np.int64)
        channel = self._channel(seller)
        transit = self.ctx.transit_days(np.full(n, channel, dtype=np.int64), self.rng)
        self.plan.add(
            n,
            dest=jur,
            person=person,
            addr=self.pop.p_home[person],
            phone=self.pop.p_mobile[person],
            seller=seller,
            channel=channel,
            arrival=arrival,
            order_day=arrival - transit,
            hs6=hs6_one[0],
            value_usd=values,
            quantity=qty,
            weight=self._weights(np.full(n, mass_one[0]), qty),
            order_key=self.ctx.new_order_keys(n),
            scheme=idx,
        )
        return n

    # -------------------------------------------------------------- nominee rings
    def ring(self, jur: str, budget: int) -> int:
        """One nominee ring; returns records used."""
        if budget < 3:
            return 0
        sizes = np.arange(3, 31)
        p = 1.0 / sizes**1.3
        n_id = int(self.rng.choice(sizes, p=p / p.sum()))
        n_id = min(n_id, budget)
        per_id = np.minimum(1 + self.rng.geometric(0.45, size=n_id) - 1, 8).astype(np.int64)
        while per_id.sum() > budget:
            per_id[int(np.argmax(per_id))] -= 1
        per_id = np.maximum(per_id, 1)
        if per_id.sum() > budget:
            return 0
        window = int(self.rng.integers(14, 61))
        window = min(window, self.ctx.n_days)
        found = self._seller_with_window(jur, window)
        if found is None:
            return 0
        seller, anchors = found
        sellers = self.ctx.sellers
        day0 = int(self.rng.choice(anchors))
        thr = self.ctx.threshold(jur, sellers.country[seller], day0)
        if thr is None:
            return 0
        # One supply from one to three merchants of the same country.
        same_country = np.flatnonzero(
            (np.asarray(sellers.country) == sellers.country[seller]) & (self.ctx.seller_p[jur] > 0)
        )
        extra = self.rng.choice(same_country, size=int(self.rng.choice([0, 0, 1, 2])), replace=True)
        ring_sellers = [seller, *[int(x) for x in extra.tolist()]]
        ring_currency = sellers.currency[seller]
        cap, _floor = _caps(thr, ring_currency)
        organiser = self._consignee(jur, 0.5)
        idx = self._new_scheme("nominee_ring", jur, thr, ring_sellers, organiser)
        identities, sources = self._ring_identities(jur, organiser, n_id)
        drops, phones = self._ring_drops(jur, organiser, identities, sources)
        n = int(per_id.sum())
        ident = np.repeat(np.asarray(identities, dtype=np.int64), per_id)
        source = np.repeat(np.asarray(sources, dtype=object), per_id)
        role = np.where(ident == organiser, "organiser", "nominee").astype(object)
        seller_arr = np.asarray(ring_sellers, dtype=np.int64)[self.rng.integers(0, len(ring_sellers), size=n)]
        arrival = (day0 + self.rng.integers(0, window, size=n)).astype(np.int64)
        channel = self.ctx.draw_channels(seller_arr, self.rng)
        order_day = arrival - self.ctx.transit_days(channel, self.rng)
        hs_main = sample_goods(sellers, np.array([seller], dtype=np.int64), self.rng)
        hs6 = np.where(self.rng.random(n) < 0.8, hs_main[0], sample_goods(sellers, seller_arr, self.rng))
        _v, mass = sample_value_mass(hs6, self.rng)
        values = cap * self.rng.uniform(0.45, 0.97, size=n)
        qty = self.rng.choice([1, 1, 2, 3], size=n).astype(np.int64)
        # Each identity keeps one drop address most of the time; phones come from the organiser's few numbers.
        drop_w = np.asarray([0.5] + [0.5 / max(1, len(drops) - 1)] * (len(drops) - 1))
        id_drop = self.rng.choice(len(drops), size=n_id, p=drop_w / drop_w.sum())
        addr_of = np.repeat(np.asarray(drops, dtype=np.int64)[id_drop], per_id)
        move = self.rng.random(n) < 0.2
        addr_of[move] = np.asarray(drops, dtype=np.int64)[self.rng.integers(0, len(drops), size=int(move.sum()))]
        ph_w = np.asarray([0.6] + [0.4 / max(1, len(phones) - 1)] * (len(phones) - 1))
        phone_of = np.asarray(phones, dtype=np.int64)[self.rng.choice(len(phones), size=n, p=ph_w / ph_w.sum())]
        names, addrs, phone_txt = self._ring_texts(organiser, ident, addr_of, phone_of)
        self.plan.add(
            n,
            dest=jur,
            person=ident,
            addr=addr_of,
            phone=phone_of,
            seller=seller_arr,
            channel=channel,
            arrival=arrival,
            order_day=order_day,
            hs6=hs6,
            value_usd=values,
            quantity=qty,
            weight=self._weights(mass, qty),
            order_key=self.ctx.new_order_keys(n),
            name_text=names,
            addr_text=addrs,
            phone_text=phone_txt,
            id_mode=np.where(self.rng.random(n) < 0.95, 2, 1),
            email_mode=1,
            email_text=self._ring_emails(organiser, n),
            scheme=idx,
            role=role,
            id_source=source,
            currency=ring_currency,
        )
        return n

    def _ring_emails(self, organiser: int, n: int) -> list[str | None]:
        """The organiser's own e-mail on about a quarter of the ring's parcels (the account that paid)."""
        email = self.pop.p_email[organiser]
        use = self.rng.random(n) < (0.25 if email else 0.0)
        return [email if u else None for u in use.tolist()]

    def _ring_identities(self, jur: str, organiser: int, n_id: int) -> tuple[list[int], list[str]]:
        """Identities used by a ring and where each came from (own, relative, friend, stolen_pccc)."""
        pop = self.pop
        kind = self.srng.choice(("family", "stolen", "stolen", "mixed", "mixed"))
        if kind == "family":
            probs = {"relative": 0.55, "friend": 0.45, "stolen_pccc": 0.0}
        elif kind == "stolen":
            probs = {"relative": 0.0, "friend": 0.1, "stolen_pccc": 0.9}
        else:
            probs = {"relative": 0.25, "friend": 0.35, "stolen_pccc": 0.4}
        if jur != "KR":  # no PCCC in the US: "stolen" identities are other people's names
            probs = {"relative": probs["relative"], "friend": probs["friend"], "stolen_identity": probs["stolen_pccc"]}
        identities: list[int] = []
        sources: list[str] = []
        if self.rng.random() < 0.6:
            identities.append(organiser)
            sources.append("own")
        keys = list(probs)
        pv = np.asarray([probs[k] for k in keys])
        draws = self.rng.choice(len(keys), size=n_id - len(identities), p=pv / pv.sum())
        cand = self.ctx.individuals.get(jur, np.zeros(0, dtype=np.int64))
        used = {organiser}
        for d in draws.tolist():
            src = keys[d]
            if src in ("stolen_pccc", "stolen_identity") and len(cand):
                for _ in range(10):
                    p = int(cand[self.rng.integers(0, len(cand))])
                    if p not in used and pop.p_household[p] != pop.p_household[organiser]:
                        break
                if p in used:
                    p = self._new_person(jur)
            elif src == "relative":
                p = self._relative(jur, organiser)
            else:
                p = self._new_person(jur)
            used.add(p)
            identities.append(p)
            sources.append(src)
        return identities, sources

    def _relative(self, jur: str, organiser: int) -> int:
        pop = self.pop
        hh = pop.new_household_ids(1)
        home = pop.new_kr_home_addresses(self.rng, 1) if jur == "KR" else pop.new_us_home_addresses(self.rng, 1)
        if self.rng.random() < 0.7 and pop.p_kind[organiser] == KR_PERSON:
            sur = np.asarray([pop.p_sur_idx[organiser]], dtype=np.int64)
            return pop.new_kr_persons(self.rng, homes=home, households=hh, entity_class="regular", surnames=sur)[0]
        if jur == "KR":
            return pop.new_kr_persons(self.rng, homes=home, households=hh, entity_class="regular")[0]
        last = pop.p_sur[organiser] if self.rng.random() < 0.7 else ""
        return pop.new_western_persons(
            self.rng, jur="US", homes=home, households=hh, entity_class="regular", surnames=[last]
        )[0]

    def _ring_drops(
        self, jur: str, organiser: int, identities: list[int], sources: list[str]
    ) -> tuple[list[int], list[int]]:
        """A few delivery addresses and phones controlled by the organiser."""
        pop = self.pop
        drops = [pop.p_home[organiser]]
        n_drop = int(self.rng.choice([1, 2, 2, 3, 4]))
        relatives = [p for p, s in zip(identities, sources, strict=True) if s == "relative"]
        while len(drops) < n_drop:
            if relatives and self.rng.random() < 0.5:
                drops.append(pop.p_home[relatives.pop()])
            elif jur == "KR":
                drops.append(pop.new_kr_office_addresses(self.rng, 1)[0])
            else:
                drops.append(pop.new_us_office_addresses(self.rng, 1)[0])
        phones = [pop.p_mobile[organiser]]
        n_phone = int(self.rng.choice([1, 2, 2, 3]))
        while len(phones) < n_phone:
            if jur == "KR":
                phones.append(int(pop.new_kr_mobiles(self.rng, 1)[0]))
            else:
                city = np.asarray([pop.b_place[pop.a_building[drops[0]]]], dtype=np.int64)
                phones.append(int(pop.new_us_phones(self.rng, city)[0]))
        return drops, phones

    def _ring_texts(
        self,
        organiser: int,
        ident: npt.NDArray[np.int64],
        addr: npt.NDArray[np.int64],
        phone: npt.NDArray[np.int64],
    ) -> tuple[list[str], list[str], list[str]]:
        """Names, addresses and phones as the organiser writes them (often one style for every name)."""
        pop = self.pop
        one_style = self.rng.random() < 0.7
        n_styles = len(KR_NAME_STYLES) if pop.p_kind[organiser] == KR_PERSON else len(US_NAME_STYLES)
        ring_style = self.srng.randrange(min(n_styles, 8))
        a_style = pop.p_addr_style[organiser]
        p_fmt = pop.p_phone_fmt[organiser]
        typo_rate = self.ctx.profile.typo
        names: list[str] = []
        addrs: list[str] = []
        phones: list[str] = []
        for i, a, ph in zip(ident.tolist(), addr.tolist(), phone.tolist(), strict=True):
            same_kind = pop.p_kind[i] == pop.p_kind[organiser]
            style = ring_style if one_style and same_kind and pop.p_kind[i] != BUSINESS else None
            name = render_name(pop, i, style)
            if self.srng.random() < self.ctx.profile.name_variant:
                name = name_variant(pop, i, self.srng, typo_rate=typo_rate, avoid={name})
            names.append(name)
            text = render_address(pop, a, a_style)
            if self.srng.random() < 0.2:
                text = address_variant(pop, a, a_style, self.srng, typo_rate=typo_rate, avoid={text})
            addrs.append(text)
            phones.append(render_phone(pop, ph, p_fmt if self.srng.random() < 0.8 else self.srng.randrange(8)))
        return names, addrs, phones

    # -------------------------------------------------------------- not fraud
    def carrier_split(self, jur: str, budget: int) -> int:
        """One order split by the carrier for size or weight; returns records used."""
        k = min(int(self.rng.choice([2, 2, 2, 3, 3, 4])), budget)
        if k < 2:
            return 0
        cand = self.ctx.individuals.get(jur)
        if cand is None or not len(cand):
            return 0
        person = int(cand[self.rng.integers(0, len(cand))])
        seller = int(self.ctx.draw_sellers(jur, 1, self.rng)[0])
        sellers = self.ctx.sellers
        day0 = int(self.ctx.draw_days(np.array([seller], dtype=np.int64), self.rng)[0])
        thr = self.ctx.threshold(jur, sellers.country[seller], day0)
        nominal = thr if thr is not None else (800.0 if jur == "US" else 150.0)
        hs6, mass = self._goods(seller, 1)
        mass_parts = np.maximum(mass[0] * self.rng.uniform(2.0, 6.0) * self.rng.dirichlet(np.full(k, 3.0)), 0.2)
        total = nominal * float(self.rng.uniform(1.1, 3.0) if self.rng.random() < 0.5 else self.rng.uniform(0.4, 0.95))
        values = total * mass_parts / mass_parts.sum()
        channel = 1 if self.rng.random() < 0.6 else self._channel(seller)
        order_day = day0 - self._transit(channel)
        arrival = day0 + np.where(self.rng.random(k) < 0.7, 0, self.rng.integers(1, 3, size=k))
        arrival = np.minimum(arrival, self.ctx.n_days - 1).astype(np.int64)
        idx = self._new_scheme("carrier_split", jur, thr, [seller], person)
        self.plan.add(
            k,
            dest=jur,
            person=person,
            addr=self.pop.p_home[person],
            phone=self._habitual_phone(person),
            seller=seller,
            channel=channel,
            arrival=arrival,
            order_day=order_day,
            hs6=hs6[0],
            value_usd=values,
            quantity=1,
            weight=np.clip(mass_parts * 1.15 + 0.1, 0.05, 30.0),
            order_key=np.repeat(self.ctx.new_order_keys(1), k),
            scheme=idx,
        )
        return k

    def brushing(self, jur: str, budget: int) -> int:
        """One brushing campaign (one seller, many random consignees, near-zero values); returns records used."""
        n = min(int(self.rng.integers(10, 61)), budget)
        cand = self.ctx.individuals.get(jur)
        if n < 5 or cand is None or len(cand) < n:
            return 0
        sellers = self.ctx.sellers
        pool = np.flatnonzero(
            np.isin(np.asarray(sellers.platform), ["Taobao", "AliExpress", "Temu", "Shopee"])
            & (self.ctx.seller_p[jur] > 0)
        )
        if not len(pool):
            return 0
        seller = int(self.rng.choice(pool))
        persons = self.rng.choice(cand, size=n, replace=False).astype(np.int64)
        day0 = int(self.ctx.draw_days(np.array([seller], dtype=np.int64), self.rng)[0])
        arrival = np.minimum(day0 + self.rng.integers(0, 5, size=n), self.ctx.n_days - 1).astype(np.int64)
        channel = np.where(self.rng.random(n) < 0.7, 0, 2).astype(np.int64)
        idx = self._new_scheme("brushing", jur, None, [seller])
        self.plan.add(
            n,
            dest=jur,
            person=persons,
            addr=np.asarray([self.pop.p_home[p] for p in persons.tolist()], dtype=np.int64),
            phone=np.asarray([self.pop.p_mobile[p] for p in persons.tolist()], dtype=np.int64),
            seller=seller,
            channel=channel,
            arrival=arrival,
            order_day=arrival - self.ctx.transit_days(channel, self.rng),
            hs6=sample_goods(sellers, np.full(n, seller, dtype=np.int64), self.rng),
            value_usd=self.rng.uniform(0.0, 2.0, size=n).round(1),
            quantity=1,
            weight=self.rng.uniform(0.02, 0.08, size=n),
            order_key=self.ctx.new_order_keys(n),
            desc=self.srng.choice(("sample", "gift", "free gift", "ring", "socks")),
            scheme=idx,
        )
        return n


def inject_schemes(
    ctx: Context, rng: np.random.Generator, plan: PlanBuilder, budgets: list[SchemeBudget]
) -> tuple[dict[str, int], list[str]]:
    """Add the schemes of every budget to `plan`.

    Args:
        ctx: generation context (its `schemes` list receives the ground truth).
        rng: random generator.
        plan: plan receiving the scheme parcels.
        budgets: records to spend per jurisdiction and scheme type.

    Returns:
        Records used per jurisdiction, and notes for the run summary (budgets that could not be spent).
    """
    inj = _Injector(ctx, rng, plan)
    makers: dict[str, Callable[[str, int], int]] = {
        "simple_split": lambda j, b: inj.split(j, b, disguised=False),
        "disguised_split": lambda j, b: inj.split(j, b, disguised=True),
        "nominee_ring": inj.ring,
        "drip_import": inj.drip,
        "carrier_split": inj.carrier_split,
        "brushing": inj.brushing,
    }
    used: dict[str, int] = {}
    for budget in budgets:
        jur = budget.jurisdiction
        total = 0
        for scheme_type in SCHEME_TYPES:
            want = budget.records.get(scheme_type, 0)
            spent = 0
            failures = 0
            while spent < want and failures < 20:
                got = makers[scheme_type](jur, want - spent)
                if got == 0:
                    failures += 1
                else:
                    spent += got
            if want - spent > max(6, want // 10):
                inj.notes.append(f"{jur} {scheme_type}: placed {spent} of {want} records")
            total += spent
        used[jur] = total
    return used, inj.notes
