"""Selection strategies by name, and the conversion of a labeling budget to pixels."""

import math
from collections.abc import Callable
from numbers import Integral, Real

from torch import Tensor

from .baselines import select_entropy, select_random
from .ppl import select_ppl
from .spl import select_spl

SELECTION_STRATEGIES: dict[str, Callable[..., Tensor]] = {
    'spl': select_spl,
    'ppl': select_ppl,
    'random': select_random,
    'entropy': select_entropy,
}


def get_strategy(name: str) -> Callable[..., Tensor]:
    """The selection function registered under ``name``; ``KeyError`` listing the known names."""
    try:
        return SELECTION_STRATEGIES[name]
    except KeyError:
        known = ', '.join(sorted(SELECTION_STRATEGIES))
        raise KeyError(f'unknown selection strategy {name!r}; known: {known}') from None


def budget_in_pixels(budget: float | int, num_pixels: int) -> int:
    """A per-image budget in pixels: a float in (0, 1] is a fraction of ``num_pixels``
    (0.022 means 2.2%, rounded, at least 1), an int >= 1 a number of pixels."""
    if isinstance(num_pixels, bool) or not isinstance(num_pixels, Integral) or num_pixels < 1:
        raise ValueError(f'num_pixels must be a positive int, got {num_pixels!r}')
    if isinstance(budget, bool) or not isinstance(budget, Real):
        raise TypeError(f'budget must be an int count or a float fraction, got {budget!r}')
    if isinstance(budget, Integral):
        if budget < 1:
            raise ValueError(f'budget must be >= 1 pixel, got {budget}')
        return int(budget)
    if not 0 < budget <= 1:
        raise ValueError(f'budget as a fraction of pixels must be in (0, 1], got {budget}; '
                         'pass an int for a number of pixels')
    return max(1, math.floor(budget * num_pixels + 0.5))
