"""Monte Carlo forecasts of METRICS.md section 6: "how many by a date" and "when will N be done".

History: the items done per local calendar day over the `WINDOW_DAYS` (84) whole days before the
day of `as_of` (the day of `as_of` itself is not over yet and is left out). Every calendar day is
a sample, weekends and holidays too: they are in the history as (mostly) zero days, so sampling
every calendar day of the future is consistent with it.

The future: "day 1" is the day after the day of `as_of`, and the forecast counts whole days from
there. The rest of the day of `as_of` is not counted (like the history, which leaves it out), so
the forecast is slightly on the safe side when it is run early in the day.

Percentiles are numpy's default linear interpolation (METRICS.md conventions). Mapping them to
whole numbers:
- "how many": with L % likelihood at least `floor(percentile(totals, 100 - L))` items are done:
  a total in between two whole numbers is rounded down, the safe side of "at least".
- "when": with L % likelihood the N items are done on or before day
  `ceil(percentile(days, L))`: a day in between is rounded up, the safe side of "on or before".

`how_many` and `when` are pure numpy and vectorized over trials and days; the `forecast_*`
wrappers take a `TeamFlow` so that pages can call them cached through `ui.data.call`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from metrics.flow import TeamFlow

WINDOW_DAYS = 84  # 12 weeks of history
TRIALS = 10_000
SEED = 20_260_302  # fixed, so that the same data always gives the same forecast
LIKELIHOODS = (50, 85, 95)
MAX_DAYS = 3 * 365  # "when": a trial that has not reached N after this many days never does
BLOCK_DAYS = 128  # "when" draws the future in blocks of days, for unfinished trials only
MAX_BINS = 40  # bars in the "how many" histogram

# Why a "when" forecast has no date for some likelihood.
NO_THROUGHPUT = "no_throughput"  # nothing was done in the history: the team never gets there
TOO_FAR = "too_far"  # some trials need more than `max_days`


def _samples(samples: Any) -> np.ndarray:
    values = np.asarray(samples, dtype=np.int64).ravel()
    if values.size == 0:
        raise ValueError("no samples: the history has no days")
    if (values < 0).any():
        raise ValueError("daily throughput cannot be negative")
    return values


def how_many(
    samples: Any, days_ahead: int, trials: int = TRIALS, seed: int = SEED
) -> dict[str, Any]:
    """How many items are done after `days_ahead` days, per trial and at each likelihood.

    Each trial sums `days_ahead` days drawn with replacement from `samples` (items done per day).
    The sum is drawn as Σ value × how often it was drawn, with those counts from one multinomial
    draw per trial: the same distribution as adding up the drawn days one by one, at a cost that
    does not grow with `days_ahead`.

    Returns `totals` (one per trial), `percentile` {50: p50, 85: p15, 95: p5} of the totals
    (linear interpolation) and `items` {likelihood: at least this many, rounded down}.
    """
    values = _samples(samples)
    if days_ahead < 0:
        raise ValueError("days_ahead must be 0 or more")
    rng = np.random.default_rng(seed)
    distinct, counts = np.unique(values, return_counts=True)
    draws = rng.multinomial(days_ahead, counts / counts.sum(), size=trials)
    totals = draws @ distinct
    percentile = {
        likelihood: float(np.percentile(totals, 100 - likelihood)) for likelihood in LIKELIHOODS
    }
    return {
        "days": days_ahead,
        "trials": trials,
        "seed": seed,
        "totals": totals,
        "percentile": percentile,
        "items": {likelihood: math.floor(p) for likelihood, p in percentile.items()},
    }


def when(
    samples: Any,
    n_items: int,
    trials: int = TRIALS,
    seed: int = SEED,
    max_days: int = MAX_DAYS,
) -> dict[str, Any]:
    """On which day `n_items` items are done, per trial and at each likelihood.

    Each trial draws days with replacement from `samples` until the running total reaches
    `n_items`; its result is that day's number (day 1 is the first day drawn). A trial that has
    not got there after `max_days` days never does (`days` holds `inf`). The future is drawn in
    blocks of `BLOCK_DAYS` days, all unfinished trials at once: numpy works over trials and days,
    Python only loops over the few blocks.

    Returns `days` (one per trial, float, `inf` for never), `percentile` {L: the L-th percentile
    of the days, or None}, `days_needed` {L: that rounded up to a whole day, or None}, `reached`
    (trials done within `max_days`) and `reason`: None, `NO_THROUGHPUT` (every sample is 0: no
    trial ever gets there) or `TOO_FAR` (some likelihood needs trials that take longer than
    `max_days`; its percentile is then None).
    """
    values = _samples(samples)
    if n_items < 1:
        raise ValueError("n_items must be 1 or more")
    days = np.full(trials, np.inf)
    if values.max() > 0:
        rng = np.random.default_rng(seed)
        total = np.zeros(trials, dtype=np.int64)
        active = np.arange(trials)
        elapsed = 0
        while active.size and elapsed < max_days:
            width = min(BLOCK_DAYS, max_days - elapsed)
            drawn = values[rng.integers(0, values.size, size=(active.size, width))]
            running = total[active, None] + drawn.cumsum(axis=1)
            there = running >= n_items
            hit = there.any(axis=1)
            days[active[hit]] = elapsed + there[hit].argmax(axis=1) + 1
            total[active] = running[:, -1]
            active = active[~hit]
            elapsed += width
    reached = int(np.isfinite(days).sum())
    percentile = {q: _percentile_or_none(days, q, reached) for q in LIKELIHOODS}
    if values.max() == 0:
        reason = NO_THROUGHPUT
    elif any(p is None for p in percentile.values()):
        reason = TOO_FAR
    else:
        reason = None
    return {
        "n_items": n_items,
        "trials": trials,
        "seed": seed,
        "max_days": max_days,
        "days": days,
        "percentile": percentile,
        "days_needed": {q: None if p is None else math.ceil(p) for q, p in percentile.items()},
        "reached": reached,
        "reason": reason,
    }


def _percentile_or_none(days: np.ndarray, q: float, reached: int) -> float | None:
    """The q-th percentile of `days` (linear interpolation), or None when it needs a trial that
    never got there: sorted, the percentile lies between the values at positions floor(h) and
    ceil(h), h = q/100 · (n − 1), and the unfinished trials sort last."""
    if reached == 0 or math.ceil(q / 100 * (days.size - 1)) >= reached:
        return None
    finite = np.isfinite(days)
    # any value above the finished trials' days keeps them sorted last; it is never interpolated
    return float(np.percentile(np.where(finite, days, days[finite].max() + 1), q))


# -- on a team's flow ------------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """The days the forecasts sample: `first_day` … `last_day` (both included)."""

    first_day: date
    last_day: date
    days: int
    items: int  # items done in those days

    @property
    def per_week(self) -> float:
        """Items done per week: "per week" divides by calendar days ÷ 7 (METRICS.md)."""
        return self.items / (self.days / 7)


@dataclass(frozen=True)
class HowMany:
    today: date  # the day of as_of; the forecast counts the days after it
    until: date
    days: int
    history: History
    items: dict[int, int]  # likelihood → at least this many items done by `until`
    distribution: pd.DataFrame  # [start, end, trials, share]: how often totals in [start, end)
    trials: int
    seed: int


@dataclass(frozen=True)
class When:
    today: date
    n_items: int
    history: History
    days: dict[int, int | None]  # likelihood → done within this many days (None: not known)
    dates: dict[int, date | None]  # likelihood → done on or before this date
    reason: str | None  # None, NO_THROUGHPUT or TOO_FAR
    latest: date  # the last day the trials were followed (`max_days` after today)
    distribution: pd.DataFrame  # [day, days, share]: share of trials done on or before `day`
    trials: int
    seed: int


def daily_throughput(flow: TeamFlow) -> pd.DataFrame:
    """[day, count]: items done per local day over the 84 whole days before the day of as_of,
    zero-filled (see `metrics/sql/forecast_daily_throughput.sql`)."""
    return flow.query("forecast_daily_throughput", window=WINDOW_DAYS)


def today(flow: TeamFlow) -> date:
    """The day of `as_of` in the team's time zone."""
    return flow.as_of.astimezone(ZoneInfo(flow.tz)).date()


def history(flow: TeamFlow) -> History:
    daily = daily_throughput(flow)
    return _history(daily)


def _history(daily: pd.DataFrame) -> History:
    return History(
        first_day=pd.Timestamp(daily["day"].min()).date(),
        last_day=pd.Timestamp(daily["day"].max()).date(),
        days=len(daily),
        items=int(daily["count"].sum()),
    )


def forecast_how_many(
    flow: TeamFlow, until: date, trials: int = TRIALS, seed: int = SEED
) -> HowMany:
    """How many items the team finishes from tomorrow up to and including `until`."""
    daily = daily_throughput(flow)
    start = today(flow)
    days = max(0, (until - start).days)
    result = how_many(daily["count"].to_numpy(), days, trials, seed)
    distribution = _bins(result["totals"], trials)
    return HowMany(
        today=start,
        until=until,
        days=days,
        history=_history(daily),
        items=result["items"],
        distribution=distribution,
        trials=trials,
        seed=seed,
    )


def _bins(totals: np.ndarray, trials: int) -> pd.DataFrame:
    """[start, end, trials, share]: how many trials ended with a total in [start, end), in at
    about `MAX_BINS` bins of a whole width (1 while the totals span at most `MAX_BINS` values)."""
    low, high = int(totals.min()), int(totals.max())
    width = max(1, math.ceil((high - low + 1) / MAX_BINS))
    starts, counts = np.unique(totals // width * width, return_counts=True)
    return pd.DataFrame(
        {
            "start": starts.astype(int),
            "end": starts.astype(int) + width,
            "trials": counts.astype(int),
            "share": counts / trials,
        }
    )


def forecast_when(
    flow: TeamFlow,
    n_items: int,
    trials: int = TRIALS,
    seed: int = SEED,
    max_days: int = MAX_DAYS,
) -> When:
    """On which date `n_items` more items are done, counting from tomorrow."""
    daily = daily_throughput(flow)
    start = today(flow)
    result = when(daily["count"].to_numpy(), n_items, trials, seed, max_days)
    finished = result["days"][np.isfinite(result["days"])].astype(int)
    if finished.size:
        steps = np.arange(finished.min(), finished.max() + 1)
        per_day = np.bincount(finished - finished.min(), minlength=steps.size)
        distribution = pd.DataFrame(
            {
                "day": pd.to_datetime([start + timedelta(days=int(d)) for d in steps]),
                "days": steps,
                "share": np.cumsum(per_day) / trials,
            }
        )
    else:
        distribution = pd.DataFrame(
            {
                "day": pd.Series(dtype="datetime64[us]"),
                "days": pd.Series(dtype=int),
                "share": pd.Series(dtype=float),
            }
        )
    needed = result["days_needed"]
    return When(
        today=start,
        n_items=n_items,
        history=_history(daily),
        days=needed,
        dates={q: None if d is None else start + timedelta(days=d) for q, d in needed.items()},
        reason=result["reason"],
        latest=start + timedelta(days=max_days),
        distribution=distribution,
        trials=trials,
        seed=seed,
    )
