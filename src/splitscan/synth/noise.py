"""Noise profiles and the small string perturbations shared by names, addresses and phones.

The noise knob ("low" | "default" | "high") sets how often a record deviates from its consignee's habitual way
of writing name, address and phone, how often a deviation carries a typo, and how often optional fields are
missing. It applies to every record, not only to the injected schemes: real repeat customers write their
details inconsistently.
"""

from __future__ import annotations

import logging
import random
import unicodedata
from dataclasses import dataclass
from typing import Final

__all__ = [
    "NOISE_LEVELS",
    "NOISE_PROFILES",
    "NoiseProfile",
    "strip_accents",
    "typo",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoiseProfile:
    """Per-record probabilities for one noise level.

    Attributes:
        name_variant: a record writes the consignee name differently from the person's habit.
        address_variant: a record writes the address differently (format, unit, script, typo).
        phone_variant: a record writes the phone in another format.
        typo: a deviating name or address also carries a typing error.
        missing_factor: multiplier on each optional field's base missing rate.
        pccc_missing: a Korean individual's record has no PCCC.
        postcode_odd: the postcode is missing or written in a legacy or ZIP+4 form.
    """

    name_variant: float
    address_variant: float
    phone_variant: float
    typo: float
    missing_factor: float
    pccc_missing: float
    postcode_odd: float


NOISE_PROFILES: Final[dict[str, NoiseProfile]] = {
    "low": NoiseProfile(0.02, 0.04, 0.08, 0.15, 0.5, 0.05, 0.01),
    "default": NoiseProfile(0.07, 0.11, 0.20, 0.25, 1.0, 0.10, 0.03),
    "high": NoiseProfile(0.18, 0.24, 0.40, 0.40, 2.0, 0.18, 0.08),
}
NOISE_LEVELS: Final[tuple[str, ...]] = tuple(NOISE_PROFILES)

_KEYBOARD_ROWS: Final[tuple[str, ...]] = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours() -> dict[str, str]:
    near: dict[str, str] = {}
    for r, row in enumerate(_KEYBOARD_ROWS):
        for c, ch in enumerate(row):
            cand = [row[c - 1] if c > 0 else "", row[c + 1] if c + 1 < len(row) else ""]
            for rr in (r - 1, r + 1):
                if 0 <= rr < len(_KEYBOARD_ROWS):
                    other = _KEYBOARD_ROWS[rr]
                    cand += [other[k] for k in (c - 1, c, c + 1) if 0 <= k < len(other)]
            near[ch] = "".join(x for x in cand if x)
    return near


_NEAR: Final[dict[str, str]] = _neighbours()


def typo(s: str, rng: random.Random) -> str:
    """One typing error in an ASCII letter or digit of `s`: adjacent-key substitution, deletion, transposition
    or
    doubling. Strings without ASCII letters or digits (e.g. Hangul) are returned unchanged."""
    positions = [i for i, ch in enumerate(s) if ch.isascii() and ch.isalnum()]
    if len(positions) < 3:
        return s
    i = positions[rng.randrange(1, len(positions))]  # keep the first character: people rarely mistype it
    ch = s[i]
    op = rng.random()
    if op < 0.4 and ch.lower() in _NEAR:
        sub = rng.choice(_NEAR[ch.lower()])
        return s[:i] + (sub.upper() if ch.isupper() else sub) + s[i + 1 :]
    if op < 0.4 and ch.isdigit():
        return s[:i] + str((int(ch) + rng.choice((1, 9))) % 10) + s[i + 1 :]
    if op < 0.65:
        return s[:i] + s[i + 1 :]
    if op < 0.85 and i + 1 < len(s) and s[i + 1].isalnum():
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    return s[:i] + ch + s[i:]


def strip_accents(s: str) -> str:
    """`José Peña` -> `Jose Pena` (what many label printers and web forms do)."""
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
