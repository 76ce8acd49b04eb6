"""Consignee names, phones and identifiers."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from splitscan.synth.people import (
    KR_NAME_STYLES,
    Population,
    _render_kr,
    address_variant,
    name_tables,
    name_variant,
    render_address,
    render_name,
    render_phone,
    sample_kr_surnames,
)

# 2015 census shares (domain.md §4): Kim 21.5%, Lee 14.7%, Park 8.4%, top 10 = 63.9%. On 20,000 draws the
# binomial standard deviation of a 21.5% share is 0.29 points; the tolerances below are about 3.5 sd.
_TOLERANCE = {"김": (0.215, 0.010), "이": (0.147, 0.009), "박": (0.084, 0.007)}


def _shares(idx: np.ndarray) -> dict[str, float]:
    ko = name_tables().kr_sur_ko
    counts = np.bincount(idx, minlength=len(ko)) / len(idx)
    return {ko[i]: float(counts[i]) for i in range(len(ko))}


def test_surname_frequencies_of_the_sampler() -> None:
    shares = _shares(sample_kr_surnames(np.random.default_rng(42), 20_000))
    for surname, (expected, tol) in _TOLERANCE.items():
        assert abs(shares[surname] - expected) < tol, surname
    top10 = sum(sorted(shares.values(), reverse=True)[:10])
    assert abs(top10 - 0.639) < 0.012


def test_surname_frequencies_of_generated_people() -> None:
    rng = np.random.default_rng(7)
    pop = Population()
    homes = pop.new_kr_home_addresses(rng, 20_000)
    ids = pop.new_kr_persons(rng, homes=homes, households=pop.new_household_ids(20_000), entity_class="regular")
    shares = _shares(np.asarray([pop.p_sur_idx[i] for i in ids]))
    for surname, (expected, tol) in _TOLERANCE.items():
        assert abs(shares[surname] - expected) < tol, surname
    # every Korean individual has a unique PCCC and a unique 010 mobile
    pcccs = [pop.p_customs_id[i] for i in ids]
    assert all(re.fullmatch(r"P\d{12}", p) for p in pcccs)
    assert len(set(pcccs)) == len(pcccs)
    mobiles = [render_phone(pop, pop.p_mobile[i], 0) for i in ids]
    assert all(re.fullmatch(r"010-\d{4}-\d{4}", m) for m in mobiles)
    assert len(set(mobiles)) == len(mobiles)


def test_apartment_households_share_street_address_and_postcode() -> None:
    rng = np.random.default_rng(3)
    pop = Population()
    homes = pop.new_kr_home_addresses(rng, 2_000)
    buildings = [pop.a_building[a] for a in homes]
    units = {(pop.a_building[a], pop.a_dong[a], pop.a_unit[a]) for a in homes}
    assert len(units) == len(homes)  # no two households in one unit
    per_building = np.bincount(buildings)
    assert per_building.max() >= 20  # complexes hold many households
    assert all(re.fullmatch(r"\d{5}", pop.b_postcode[b]) for b in buildings)


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        (0, "KIM MINJUN"),
        (1, "Kim Min-jun"),
        (2, "Minjun Kim"),
        (3, "Kim Minjun"),
        (4, "김민준"),
        (5, "MINJUN KIM"),
        (6, "Kim Min Jun"),
        (7, "KIM MIN JUN"),
        (8, "김 민준"),
        (9, "KIM, MINJUN"),
        (10, "minjun kim"),
    ],
)
def test_korean_name_styles(style: int, expected: str) -> None:
    assert len(KR_NAME_STYLES) == 11
    assert _render_kr("Kim", ("min", "jun"), "김", "민준", style) == expected


def test_phone_formats() -> None:
    pop = Population()
    pop.ph_cc.append("82")
    pop.ph_parts.append(("010", "1234", "5678"))
    pop.ph_mobile.append(True)
    pop.ph_cc.append("1")
    pop.ph_parts.append(("212", "555", "0134"))
    pop.ph_mobile.append(True)
    assert [render_phone(pop, 0, f) for f in range(8)] == [
        "010-1234-5678",
        "01012345678",
        "+82 10-1234-5678",
        "010.1234.5678",
        "010 1234 5678",
        "+82-10-1234-5678",
        "+821012345678",
        "82-10-1234-5678",
    ]
    assert render_phone(pop, 1, 0) == "(212) 555-0134"
    assert render_phone(pop, 1, 2) == "+1 212-555-0134"


def test_name_and_address_variants_differ_from_what_they_must_avoid() -> None:
    rng = np.random.default_rng(1)
    srng = random.Random(1)
    pop = Population()
    homes = pop.new_kr_home_addresses(rng, 300)
    ids = pop.new_kr_persons(rng, homes=homes, households=pop.new_household_ids(300), entity_class="regular")
    us_homes = pop.new_us_home_addresses(rng, 100)
    ids += pop.new_western_persons(
        rng, jur="US", homes=us_homes, households=pop.new_household_ids(100), entity_class="regular"
    )
    assert any(pop.p_name_style[p] == 4 for p in ids)  # some habitually write Hangul
    for pid in ids:
        seen = {render_name(pop, pid)}
        for _ in range(6):  # a disguised split writes up to six parcels differently
            v = name_variant(pop, pid, srng, typo_rate=0.3, avoid=seen)
            assert v not in seen
            seen.add(v)
        style = pop.p_addr_style[pid]
        seen = {render_address(pop, pop.p_home[pid], style)}
        for _ in range(6):
            v = address_variant(pop, pop.p_home[pid], style, srng, typo_rate=0.3, avoid=seen)
            assert v not in seen
            seen.add(v)
