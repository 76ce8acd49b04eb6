"""The parcel plan: every record as numbers (who, where, which seller, when, what, how much) before any text is
written, plus the shared generation context used by the legitimate-traffic and scheme generators.

Keeping the plan numeric lets the generator vectorise over a million records and decide ground truth before
rendering; rendering (`render.py`) turns it into the input-contract columns.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from splitscan.synth.noise import NoiseProfile
from splitscan.synth.people import Population
from splitscan.synth.seasons import day_weights, region_of
from splitscan.synth.sellers import Sellers
from splitscan.synth.tables import kcs_tables
from splitscan.synth.thresholds import threshold_usd

__all__ = ["PLAN_COLUMNS", "Context", "PlanBuilder", "SchemeInfo"]

logger = logging.getLogger(__name__)

# name -> (dtype, default). Text overrides are None when the renderer should write the consignee's details
# itself (habitually, or with a random variation picked by the noise profile).
PLAN_COLUMNS: Final[dict[str, tuple[Any, Any]]] = {
    "dest": (object, ""),
    "person": (np.int64, -1),
    "addr": (np.int64, -1),
    "phone": (np.int64, -1),
    "seller": (np.int64, -1),
    "channel": (np.int64, 0),
    "arrival": (np.int64, 0),
    "order_day": (np.int64, 0),
    "hs6": (np.int64, 0),
    "value_usd": (np.float64, 0.0),
    "quantity": (np.int64, 1),
    "weight": (np.float64, 0.1),
    "order_key": (np.int64, -1),
    "shipper_name": (object, ""),
    "shipper_country": (object, ""),
    "currency": (object, ""),
    "desc": (object, ""),
    "name_text": (object, None),
    "addr_text": (object, None),
    "phone_text": (object, None),
    "email_text": (object, None),
    "id_mode": (np.int64, 0),  # 0 usual rule, 1 force missing, 2 force present
    "email_mode": (np.int64, 0),  # 0 usual rule, 1 force missing
    "exact": (np.bool_, False),  # write the consignee exactly as habitually (no random variation)
    "scheme": (np.int64, -1),
    "role": (object, ""),
    "id_source": (object, ""),
}


class PlanBuilder:
    """Accumulates chunks of plan rows and concatenates them into one column dict."""

    def __init__(self) -> None:
        self._chunks: list[dict[str, npt.NDArray[Any]]] = []
        self.n = 0

    def add(self, n: int, **cols: Any) -> None:
        """Add `n` rows; each keyword is a scalar (broadcast) or a length-`n` sequence; the rest take defaults."""
        unknown = set(cols) - set(PLAN_COLUMNS)
        if unknown:
            raise KeyError(f"unknown plan columns: {sorted(unknown)}")
        if n == 0:
            return
        chunk: dict[str, npt.NDArray[Any]] = {}
        for name, (dtype, default) in PLAN_COLUMNS.items():
            value = cols.get(name, default)
            if isinstance(value, np.ndarray | list | tuple):
                arr = np.empty(n, dtype=dtype)
                arr[:] = value
                if len(arr) != n:
                    raise ValueError(f"plan column {name}: {len(arr)} values for {n} rows")
            else:
                arr = np.full(n, value, dtype=dtype)
            chunk[name] = arr
        self._chunks.append(chunk)
        self.n += n

    def build(self) -> dict[str, npt.NDArray[Any]]:
        """All rows added so far, column by column."""
        if not self._chunks:
            return {name: np.empty(0, dtype=dtype) for name, (dtype, _d) in PLAN_COLUMNS.items()}
        return {name: np.concatenate([c[name] for c in self._chunks]) for name in PLAN_COLUMNS}


@dataclass
class SchemeInfo:
    """Ground truth of one injected scheme (fraud or labelled non-fraud aggregate)."""

    scheme_id: str
    scheme_type: str
    jurisdiction: str
    threshold_usd: float | None
    seller_ids: tuple[str, ...]
    organiser: int = -1


_CHANNEL_TRANSIT: Final[tuple[tuple[float, float, float], ...]] = (
    (6.0, 2.0, 4.5),  # postal: offset, gamma shape, gamma scale -> ~15 days
    (2.0, 2.0, 1.0),  # express -> ~4 days
    (4.0, 2.0, 2.5),  # ecommerce -> ~9 days
)


@dataclass
class Context:
    """Shared state of one generation run.

    Attributes:
        pop: consignee population (grows as schemes add identities).
        sellers: seller universe.
        profile: noise profile.
        start: first arrival date.
        n_days: number of arrival days.
        season: arrival-day weights per seller region, shape (3, n_days).
        seller_region: region index per seller.
        seller_p: per jurisdiction, probability of each seller for an ordinary purchase.
        individuals: per jurisdiction, person indices of home-living individuals (candidates for schemes).
        schemes: ground truth of the injected schemes, in creation order.
    """

    pop: Population
    sellers: Sellers
    profile: NoiseProfile
    start: date
    n_days: int
    season: npt.NDArray[np.float64]
    seller_region: npt.NDArray[np.int64]
    seller_p: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    individuals: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    schemes: list[SchemeInfo] = field(default_factory=list)
    _order_counter: int = 0
    _threshold_cache: dict[tuple[str, str, int], float | None] = field(default_factory=dict)

    @staticmethod
    def create(pop: Population, sellers: Sellers, profile: NoiseProfile, start: date, end: date) -> Context:
        """Build the context for `[start, end]`."""
        n_days = (end - start).days + 1
        season = np.vstack([day_weights(start, end, r) for r in range(3)])
        region = np.asarray([region_of(c) for c in sellers.country], dtype=np.int64)
        return Context(pop, sellers, profile, start, n_days, season, region)

    def set_seller_weights(self, jurisdiction: str, departure: dict[str, float]) -> None:
        """Ordinary-purchase seller probabilities for one jurisdiction: country by KCS departure weight, then
        seller by popularity; agents and sellers that cannot ship there are excluded."""
        s = self.sellers
        ok = s.can_ship_to(jurisdiction) & (np.asarray(s.kind) == "merchant")
        country = np.asarray(s.country)
        p = np.zeros(s.n)
        for c in sorted(set(country[ok].tolist())):
            sel = ok & (country == c)
            pop = s.popularity[sel]
            p[sel] = departure.get(c, 0.0) * pop / pop.sum()
        self.seller_p[jurisdiction] = p / p.sum()

    def new_order_keys(self, n: int) -> npt.NDArray[np.int64]:
        """`n` fresh order-group keys."""
        start = self._order_counter
        self._order_counter += n
        return np.arange(start, start + n, dtype=np.int64)

    def draw_sellers(self, jurisdiction: str, n: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
        """`n` sellers for ordinary purchases into `jurisdiction`."""
        return np.asarray(rng.choice(self.sellers.n, size=n, p=self.seller_p[jurisdiction]), dtype=np.int64)

    def draw_days(self, sellers: npt.NDArray[np.int64], rng: np.random.Generator) -> npt.NDArray[np.int64]:
        """One arrival day offset per parcel, following its seller region's seasonality."""
        out = np.zeros(len(sellers), dtype=np.int64)
        region = self.seller_region[sellers]
        for r in range(3):
            sel = region == r
            if sel.any():
                out[sel] = rng.choice(self.n_days, size=int(sel.sum()), p=self.season[r])
        return out

    def draw_channels(self, sellers: npt.NDArray[np.int64], rng: np.random.Generator) -> npt.NDArray[np.int64]:
        """Postal (0), express (1) or e-commerce (2) per parcel, from its seller's channel mix."""
        cum = np.cumsum(self.sellers.channel_p[sellers], axis=1)
        u = rng.random(len(sellers))
        return np.asarray(np.minimum((cum < u[:, None]).sum(axis=1), 2), dtype=np.int64)

    @staticmethod
    def transit_days(channel: npt.NDArray[np.int64], rng: np.random.Generator) -> npt.NDArray[np.int64]:
        """Days from order to arrival per parcel, by channel."""
        params = np.asarray(_CHANNEL_TRANSIT)[channel]
        days = params[:, 0] + rng.gamma(params[:, 1], params[:, 2])
        return np.asarray(np.round(days), dtype=np.int64)

    def day_date(self, day: int) -> date:
        """Calendar date of a day offset."""
        return self.start + timedelta(days=int(day))

    def threshold(self, jurisdiction: str, shipper_country: str, day: int) -> float | None:
        """De minimis threshold (USD) for a parcel arriving on day offset `day`, or None (cached)."""
        key = (jurisdiction, shipper_country, int(day))
        if key not in self._threshold_cache:
            self._threshold_cache[key] = threshold_usd(jurisdiction, shipper_country, self.day_date(day))
        return self._threshold_cache[key]

    def threshold_days(self, jurisdiction: str, shipper_country: str) -> npt.NDArray[np.bool_]:
        """Mask of the day offsets on which a de minimis threshold applies."""
        return np.asarray(
            [self.threshold(jurisdiction, shipper_country, d) is not None for d in range(self.n_days)],
            dtype=np.bool_,
        )

    def description(self, seller: int, hs6: int) -> str:
        """The goods description seller `seller` uses for HS6 code `hs6` (stable per seller and heading)."""
        t = kcs_tables()
        options = t.heading_descriptions[t.hs6_heading[hs6]]
        return options[(int(self.sellers.desc_pick[seller]) + hs6) % len(options)]
