"""The evidence chart of a win, for the Wins page, the presenter view and the published report.

INTERFACE STUB — being written.
"""

from __future__ import annotations

import altair as alt

from metrics.wins import Win


def evidence_chart(win: Win, lang: str, *, width: int = 560, height: int = 260) -> alt.TopLevelMixin:
    """The win's series (before/after phases told apart by colour *and* dash or label, the
    before and after levels as rules), configured with `ui.charts.configure`."""
    raise NotImplementedError


def evidence_alt(win: Win, lang: str) -> str:
    """The chart's text alternative: one sentence with the numbers that matter."""
    raise NotImplementedError
