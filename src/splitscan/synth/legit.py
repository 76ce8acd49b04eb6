"""Legitimate traffic: the consignee population and its ordinary purchases.

The population mixes the false-positive traps of domain.md §4 as entity classes: family households (shared
address, often a shared phone, members with different names), apartment complexes (many households sharing street
address and postcode), purchase-agent buyers (one agent ships for many buyers), forwarder customers (Korean
buyers using a shipping agent abroad; US mailbox addresses shared by hundreds of unrelated consignees), and
business importers with high legitimate volume. Repeat customers buy again from favourite sellers; heavy users
get coincidental same-day arrivals; some people also receive parcels at work or at a relative's home; a small
share of honest purchases is above the threshold and declared as such.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from splitscan.synth.people import BUSINESS, Population
from splitscan.synth.plan import Context, PlanBuilder
from splitscan.synth.sellers import FORWARDERS, sample_goods, sample_value_mass

__all__ = ["CLASS_SHARES", "LegitPopulation", "add_legit_parcels", "build_population"]

logger = logging.getLogger(__name__)

# Share of a jurisdiction's legitimate parcels by consignee class.
CLASS_SHARES: Final[dict[str, dict[str, float]]] = {
    "KR": {"home": 0.83, "agent_buyer": 0.06, "forwarder_customer": 0.05, "business": 0.06},
    "US": {"home": 0.80, "forwarder_customer": 0.12, "business": 0.08},
}
# Parcels per consignee per year, by class (sets how many consignees a run has).
_ANNUAL_RATE: Final[dict[str, float]] = {
    "home": 5.0,
    "agent_buyer": 4.0,
    "forwarder_customer": 8.0,
    "business": 150.0,
}
# Importing members per household (not household size): most homes have one importer, some two or three.
_HOUSEHOLD_SIZES: Final = (np.array([1, 2, 3, 4, 5]), np.array([0.68, 0.25, 0.055, 0.012, 0.003]))
_FORWARDER_WEIGHTS: Final = np.array([0.2, 0.15, 0.15, 0.1, 0.1, 0.1, 0.05, 0.08, 0.07])
_HONEST_HIGH: Final[dict[str, float]] = {"KR": 0.015, "US": 0.005}


@dataclass
class LegitPopulation:
    """Persons of one jurisdiction by class, with their purchase habits.

    Attributes:
        by_class: person indices per class key ("home", "agent_buyer", "forwarder_customer", "business").
        favourites: per person (row aligned with `by_class[...]`), 4 favourite sellers.
        agent: seller index of the purchase agent of each agent buyer.
        forwarder: index into `sellers.FORWARDERS` of each Korean forwarder customer.
        suppliers: per business, 5 supplier sellers.
    """

    by_class: dict[str, npt.NDArray[np.int64]]
    favourites: dict[str, npt.NDArray[np.int64]]
    agent: npt.NDArray[np.int64]
    forwarder: npt.NDArray[np.int64]
    suppliers: npt.NDArray[np.int64]


def _household_layout(rng: np.random.Generator, n_persons: int) -> tuple[npt.NDArray[np.int64], ...]:
    """(household number, role in household, household size) per person; role 0 head, 1 spouse, 2+ child."""
    sizes = rng.choice(_HOUSEHOLD_SIZES[0], size=n_persons, p=_HOUSEHOLD_SIZES[1])
    cum = np.cumsum(sizes)
    n_h = int(np.searchsorted(cum, n_persons) + 1)
    sizes = sizes[:n_h]
    sizes[-1] -= int(cum[n_h - 1] - n_persons)
    hh = np.repeat(np.arange(n_h), sizes)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    role = np.arange(n_persons) - starts
    return hh.astype(np.int64), role.astype(np.int64), np.repeat(sizes, sizes).astype(np.int64)


def _home_persons(rng: np.random.Generator, pop: Population, jur: str, n: int) -> npt.NDArray[np.int64]:
    """`n` individuals living in households (Korean or US), with shared addresses and phones."""
    hh, role, size = _household_layout(rng, n)
    n_h = int(hh.max()) + 1
    hh_ids = pop.new_household_ids(n_h)
    homes_h = pop.new_kr_home_addresses(rng, n_h) if jur == "KR" else pop.new_us_home_addresses(rng, n_h)
    homes = [homes_h[h] for h in hh.tolist()]
    head_of = np.flatnonzero(role == 0)[hh]
    classes = np.where(size > 1, "household_member", "regular")
    if jur == "KR":
        sur = np.full(n, -1, dtype=np.int64)
        from splitscan.synth.people import sample_kr_surnames

        drawn = sample_kr_surnames(rng, n)
        sur[:] = drawn
        child = role >= 2
        sur[child] = drawn[head_of[child]]  # children take the father's surname; spouses keep their own
        ids = np.empty(n, dtype=np.int64)
        for cls in ("regular", "household_member"):
            sel = np.flatnonzero(classes == cls)
            ids[sel] = pop.new_kr_persons(
                rng,
                homes=[homes[i] for i in sel.tolist()],
                households=hh_ids[hh[sel]],
                entity_class=cls,
                surnames=sur[sel],
            )
    else:
        ids = np.empty(n, dtype=np.int64)
        heads = np.flatnonzero(role == 0)
        head_ids = pop.new_western_persons(
            rng,
            jur="US",
            homes=[homes[i] for i in heads.tolist()],
            households=hh_ids[hh[heads]],
            entity_class="regular",
        )
        ids[heads] = head_ids
        others = np.flatnonzero(role > 0)
        same = (role[others] >= 2) | (rng.random(len(others)) < 0.7)
        surnames = [
            pop.p_sur[int(ids[head_of[i]])] if s else "" for i, s in zip(others.tolist(), same.tolist(), strict=True)
        ]
        ids[others] = pop.new_western_persons(
            rng,
            jur="US",
            homes=[homes[i] for i in others.tolist()],
            households=hh_ids[hh[others]],
            entity_class="household_member",
            surnames=surnames,
        )
        for i in heads[size[heads] > 1].tolist():
            pop.p_class[int(ids[i])] = "household_member"
    # Shared household phone: in ~55% of multi-person households one number (the head's mobile, or a
    # landline in Korea) is used by several members.
    multi = np.flatnonzero((role == 0) & (size > 1))
    shared = multi[rng.random(len(multi)) < 0.55]
    if len(shared):
        landline = (rng.random(len(shared)) < 0.2) & (jur == "KR")
        phones = np.asarray([pop.p_mobile[int(ids[i])] for i in shared.tolist()], dtype=np.int64)
        if landline.any():
            districts = np.asarray(
                [pop.b_place[pop.a_building[homes[i]]] for i in shared[landline].tolist()], dtype=np.int64
            )
            phones[landline] = pop.new_kr_landlines(rng, districts)
        phone_of_h = dict(zip(hh[shared].tolist(), phones.tolist(), strict=True))
        for i in range(n):
            ph = phone_of_h.get(int(hh[i]))
            if ph is not None:
                pop.p_house_phone[int(ids[i])] = ph
    return ids


def build_population(ctx: Context, rng: np.random.Generator, jur: str, n_parcels: int, years: float) -> LegitPopulation:
    """Create the consignees of one jurisdiction, sized for about `n_parcels` parcels over `years` years."""
    pop = ctx.pop
    shares = CLASS_SHARES[jur]

    def n_people(cls: str, floor: int = 1) -> int:
        per_person = max(1.3, _ANNUAL_RATE[cls] * years)
        return max(floor, math.ceil(n_parcels * shares.get(cls, 0.0) / per_person))

    by_class: dict[str, npt.NDArray[np.int64]] = {}
    n_home = n_people("home", 5)
    n_agent = n_people("agent_buyer") if "agent_buyer" in shares else 0
    n_fwd_kr = n_people("forwarder_customer") if jur == "KR" else 0
    home = _home_persons(rng, pop, jur, n_home + n_agent + n_fwd_kr)
    if jur == "KR":
        # About 2% of Korean consignees are foreign residents writing Western names (they also have a PCCC).
        n_foreign = max(1, n_home // 50)
        homes = pop.new_kr_home_addresses(rng, n_foreign)
        foreign = pop.new_western_persons(
            rng, jur="KR", homes=homes, households=pop.new_household_ids(n_foreign), entity_class="regular"
        )
        home = np.concatenate([home, np.asarray(foreign, dtype=np.int64)])
    perm = rng.permutation(len(home))
    agent_idx = home[perm[:n_agent]]
    fwd_idx = home[perm[n_agent : n_agent + n_fwd_kr]]
    for p in agent_idx.tolist():
        pop.p_class[p] = "agent_buyer"
    for p in fwd_idx.tolist():
        pop.p_class[p] = "forwarder_customer"
    by_class["home"] = home[perm[n_agent + n_fwd_kr :]]
    if n_agent:
        by_class["agent_buyer"] = agent_idx
    if jur == "KR" and n_fwd_kr:
        by_class["forwarder_customer"] = fwd_idx
    if jur == "US":
        n_fwd = n_people("forwarder_customer")
        hubs = rng.choice(14, size=n_fwd, p=np.array([5, 4, 4, 3, 3, 2, 1, 2, 1, 2, 1, 1, 1, 1]) / 31)
        homes = pop.new_mailbox_addresses(rng, hubs)
        # Customers abroad: ~45% give the hub's own phone, ~30% a foreign number, ~25% a US number.
        kind = rng.choice(3, size=n_fwd, p=[0.45, 0.30, 0.25])
        phones = np.empty(n_fwd, dtype=np.int64)
        hub_ph = np.asarray(pop.hub_phones(rng), dtype=np.int64)
        phones[kind == 0] = hub_ph[hubs[kind == 0]]
        phones[kind == 1] = pop.new_foreign_phones(rng, int((kind == 1).sum()))
        cities = rng.integers(0, 20, size=int((kind == 2).sum()))
        phones[kind == 2] = pop.new_us_phones(rng, cities.astype(np.int64))
        fw = pop.new_western_persons(
            rng,
            jur="US",
            homes=homes,
            households=pop.new_household_ids(n_fwd),
            entity_class="forwarder_customer",
            group_probs=(0.25, 0.55, 0.20),
            phones=phones,
        )
        by_class["forwarder_customer"] = np.asarray(fw, dtype=np.int64)
    # Some people also receive parcels at work or at a relative's home (a PCCC may register up to 20 delivery
    # addresses, domain.md §1.3): same identity, another address.
    alt = by_class["home"][rng.random(len(by_class["home"])) < 0.15]
    if len(alt):
        n_alt = len(alt)
        offices = rng.random(n_alt) < 0.6
        new_addr = np.empty(n_alt, dtype=np.int64)
        n_off = int(offices.sum())
        if jur == "KR":
            new_addr[offices] = pop.new_kr_office_addresses(rng, n_off)
            new_addr[~offices] = pop.new_kr_home_addresses(rng, n_alt - n_off)
        else:
            new_addr[offices] = pop.new_us_office_addresses(rng, n_off)
            new_addr[~offices] = pop.new_us_home_addresses(rng, n_alt - n_off)
        for p, a in zip(alt.tolist(), new_addr.tolist(), strict=True):
            pop.p_alt_addr[p] = a
    n_bus = n_people("business")
    by_class["business"] = np.asarray(pop.new_businesses(rng, jur, n_bus), dtype=np.int64)

    favourites = {
        cls: ctx.draw_sellers(jur, 4 * len(p), rng).reshape(len(p), 4)
        for cls, p in by_class.items()
        if cls != "business"
    }
    agents = ctx.sellers.indices(kind="agent")
    agent = rng.choice(agents, size=n_agent, p=_zipf(len(agents))) if n_agent and len(agents) else np.zeros(0, np.int64)
    forwarder = rng.choice(len(FORWARDERS), size=n_fwd_kr, p=_FORWARDER_WEIGHTS / _FORWARDER_WEIGHTS.sum())
    suppliers = ctx.draw_sellers(jur, 5 * n_bus, rng).reshape(n_bus, 5)
    ctx.individuals[jur] = np.asarray(
        [p for p in by_class["home"].tolist() if pop.p_kind[p] != BUSINESS], dtype=np.int64
    )
    logger.info(
        "%s population: %s",
        jur,
        ", ".join(f"{cls} {len(p)}" for cls, p in by_class.items()),
    )
    return LegitPopulation(by_class, favourites, np.asarray(agent, dtype=np.int64), forwarder, suppliers)


def _zipf(n: int) -> npt.NDArray[np.float64]:
    w = 1.0 / np.arange(1, n + 1) ** 0.9
    return np.asarray(w / w.sum(), dtype=np.float64)


def add_legit_parcels(
    ctx: Context,
    rng: np.random.Generator,
    plan: PlanBuilder,
    jur: str,
    lp: LegitPopulation,
    n_parcels: int,
) -> None:
    """Add `n_parcels` ordinary purchases into `jur` to the plan."""
    if n_parcels <= 0:
        return
    pop = ctx.pop
    sellers = ctx.sellers
    shares = {c: s for c, s in CLASS_SHARES[jur].items() if c in lp.by_class and len(lp.by_class[c])}
    classes = sorted(shares)
    counts = rng.multinomial(n_parcels, np.asarray([shares[c] for c in classes]) / sum(shares.values()))
    for cls, k in zip(classes, counts.tolist(), strict=True):
        if k == 0:
            continue
        persons = lp.by_class[cls]
        sigma = 0.8 if cls == "business" else 1.0
        activity = rng.lognormal(0.0, sigma, size=len(persons))
        local = rng.choice(len(persons), size=k, p=activity / activity.sum())
        person = persons[local]
        shipper_name = np.full(k, "", dtype=object)
        shipper_country = np.full(k, "", dtype=object)
        if cls == "business":
            use_sup = rng.random(k) < 0.9
            seller = np.where(use_sup, lp.suppliers[local, rng.integers(0, 5, size=k)], ctx.draw_sellers(jur, k, rng))
        elif cls == "agent_buyer":
            use_agent = rng.random(k) < 0.85
            seller = np.where(use_agent, lp.agent[local], ctx.draw_sellers(jur, k, rng))
        elif cls == "forwarder_customer" and jur == "KR":
            fw = lp.forwarder[local]
            seller = np.empty(k, dtype=np.int64)
            for f in np.unique(fw).tolist():
                sel = fw == f
                name, country = FORWARDERS[f]
                p = ctx.seller_p[jur] * (np.asarray(sellers.country) == country)
                if p.sum() == 0:
                    p = ctx.seller_p[jur]
                seller[sel] = rng.choice(sellers.n, size=int(sel.sum()), p=p / p.sum())
                shipper_name[sel] = name
                shipper_country[sel] = country
        else:
            fav = rng.random(k) < 0.35
            seller = np.where(fav, lp.favourites[cls][local, rng.integers(0, 4, size=k)], ctx.draw_sellers(jur, k, rng))
        seller = seller.astype(np.int64)
        channel = ctx.draw_channels(seller, rng)
        if cls == "forwarder_customer" and jur == "KR":
            channel = np.where(rng.random(k) < 0.7, 1, 2).astype(np.int64)
        arrival = ctx.draw_days(seller, rng)
        order_day = arrival - ctx.transit_days(channel, rng)
        hs6 = sample_goods(sellers, seller, rng)
        unit, mass = sample_value_mass(hs6, rng)
        if cls == "business":
            qty = np.maximum(1, np.round(rng.lognormal(1.8, 0.8, size=k))).astype(np.int64)
        else:
            qty = rng.choice([1, 2, 3, 4, 5, 10], size=k, p=[0.70, 0.15, 0.06, 0.04, 0.03, 0.02]).astype(np.int64)
        value = unit * qty**0.6 * sellers.price_level[seller] * (1.3 if jur == "US" else 1.0)
        if cls == "business":
            value *= 1.5
        weight = np.clip(mass * qty**0.85 * rng.uniform(1.05, 1.3, size=k) + 0.03, 0.02, 30.0)
        # Honest purchases above the threshold, declared at their real value.
        nominal = 800.0 if jur == "US" else np.where(np.asarray(sellers.country)[seller] == "US", 200.0, 150.0)
        high = rng.random(k) < _HONEST_HIGH[jur]
        value = np.where(high, nominal * rng.uniform(1.05, 4.0, size=k), value)
        value = np.clip(value, 0.3, 6000.0)
        desc = np.full(k, "", dtype=object)
        free = rng.random(k) < 0.003  # commercial samples and gifts declared at zero
        value[free] = 0.0
        desc[free] = rng.choice(["sample", "gift", "free sample"], size=int(free.sum()))
        phone = np.asarray([pop.p_mobile[p] for p in person.tolist()], dtype=np.int64)
        house = np.asarray([pop.p_house_phone[p] for p in person.tolist()], dtype=np.int64)
        use_house = (house >= 0) & (rng.random(k) < 0.5)
        phone = np.where(use_house, house, phone)
        addr = np.asarray([pop.p_home[p] for p in person.tolist()], dtype=np.int64)
        alt = np.asarray([pop.p_alt_addr[p] for p in person.tolist()], dtype=np.int64)
        use_alt = (alt >= 0) & (rng.random(k) < 0.3)
        addr = np.where(use_alt, alt, addr)
        plan.add(
            k,
            dest=jur,
            person=person,
            addr=addr,
            phone=phone,
            seller=seller,
            channel=channel,
            arrival=arrival,
            order_day=order_day,
            hs6=hs6,
            value_usd=value,
            quantity=qty,
            weight=weight,
            order_key=ctx.new_order_keys(k),
            shipper_name=shipper_name,
            shipper_country=shipper_country,
            desc=desc,
        )
