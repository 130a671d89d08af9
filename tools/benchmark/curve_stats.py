"""Statistics of the label-efficiency curves: the budget at which a method reaches a target
mIoU (interpolated in log budget, per seed for the spread), how many labels LabOR needs
against another method, and LabOR's lead per budget with a 95% interval paired by seed."""
import math
import statistics
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class Parity:
    """Where a curve reaches a target: at ``budget`` (interpolated), at or below the smallest
    budget measured (``below``: ``budget`` is that smallest one), or not in the range
    (``budget`` None; ``largest`` is the largest budget measured)."""

    budget: float | None
    below: bool = False
    largest: float | None = None

    def text(self, unit: str) -> str:
        """``0.31%``, ``<= 0.25%`` or ``not reached (up to 2.2%)``."""
        if self.budget is None:
            return f'not reached (up to {self.largest:.3g}{unit})'
        return f'{"<= " if self.below else ""}{self.budget:.3g}{unit}'


def parity(points: list[tuple[float, float]], target: float) -> Parity:
    """The budget at which the curve ``points`` (``(budget, mIoU)``, budgets > 0) first
    reaches ``target``, linear in log budget between the two budgets around the crossing."""
    points = sorted(points)
    if points[0][1] >= target:
        return Parity(points[0][0], below=True)
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if y0 < target <= y1:
            share = (target - y0) / (y1 - y0)
            return Parity(math.exp(math.log(x0) + share * (math.log(x1) - math.log(x0))))
    return Parity(None, largest=points[-1][0])


def ratio_text(mine: Parity, other: Parity) -> str:
    """``mine.budget / other.budget`` as text, with the bound that a parity at or below the
    range, or not reached, allows; ``n/a`` when neither bounds it."""
    if mine.budget is None:
        return 'n/a (LabOR does not reach it)'
    if other.budget is None:  # the other needs more than its largest budget
        return f'< {mine.budget / other.largest:.2f}'
    if other.below:  # the other needs at most its smallest budget: no upper bound on us
        return 'n/a (both at or below the range)' if mine.below else (
            f'>= {mine.budget / other.budget:.2f}')
    return f'{"<= " if mine.below else ""}{mine.budget / other.budget:.2f}'


def seed_parities(runs: list[dict], x_key: str, target: float) -> list[Parity]:
    """:func:`parity` of each seed's own curve (``runs``: one method's runs at every budget;
    seeds missing a budget are left out)."""
    budgets = {r['budget'] for r in runs}
    by_seed: dict[int, list[dict]] = {}
    for r in runs:
        by_seed.setdefault(r['seed'], []).append(r)
    return [parity([(r[x_key], r['mIoU']) for r in seed_runs], target)
            for _, seed_runs in sorted(by_seed.items())
            if {r['budget'] for r in seed_runs} == budgets]


def spread_text(parities: list[Parity], unit: str) -> str:
    """The seeds' parities: ``0.28% to 0.35% (3 of 3 seeds)``; those not reached are
    counted; ``no seed with every budget yet`` while a campaign fills them in."""
    if not parities:
        return 'no seed with every budget yet'
    reached = sorted((p for p in parities if p.budget is not None), key=lambda p: p.budget)
    if not reached:
        return f'0 of {len(parities)} seeds'
    low, high = reached[0], reached[-1]
    span = low.text(unit) if low == high else f'{low.text(unit)} to {high.text(unit)}'
    return f'{span} ({len(reached)} of {len(parities)} seeds)'


def paired_lead(mine: dict[int, float], other: dict[int, float],
                confidence: float = 0.95) -> tuple[float, float | None, int] | None:
    """Mean of ``mine[s] - other[s]`` over the seeds both have, the half-width of its
    ``confidence`` interval (Student's t; None with one seed) and the seed count; None
    without a common seed."""
    seeds = sorted(set(mine) & set(other))
    if not seeds:
        return None
    diffs = [mine[s] - other[s] for s in seeds]
    mean = statistics.mean(diffs)
    if len(diffs) < 2:
        return mean, None, 1
    half = (stats.t.ppf(0.5 + confidence / 2, len(diffs) - 1) * statistics.stdev(diffs)
            / math.sqrt(len(diffs)))
    return mean, float(half), len(diffs)


def interval_text(lead: tuple[float, float | None, int]) -> str:
    """A paired lead as ``+1.20 ± 0.80 [+0.40, +2.00]`` (one seed: no interval)."""
    mean, half, _ = lead
    return (f'{mean:+.2f} (one seed: no interval)' if half is None else
            f'{mean:+.2f} ± {half:.2f} [{mean - half:+.2f}, {mean + half:+.2f}]')


def shown_ahead(lead: tuple[float, float | None, int]) -> bool:
    """Whether a :func:`paired_lead` is shown above 0: an interval (two seeds or more) whose
    lower end is above 0."""
    mean, half, _ = lead
    return half is not None and mean - half > 0
