"""Selection strategies by registered name, and the conversion of a labeling budget to pixels."""

import math
from collections.abc import Callable
from numbers import Integral, Real

from torch import Tensor

from ..registry import SELECTION_STRATEGIES


def strategy_names() -> list[str]:
    """The names registered in ``SELECTION_STRATEGIES`` (ours and any a user module added)."""
    return sorted(SELECTION_STRATEGIES.module_dict)


def get_strategy(name: str) -> Callable[..., Tensor]:
    """The selection function registered under ``name``; ``KeyError`` listing the known names."""
    strategy = SELECTION_STRATEGIES.get(name) if isinstance(name, str) else None
    if strategy is None:
        raise KeyError(f'unknown selection strategy {name!r}; known: '
                       f'{", ".join(strategy_names())} (register yours in '
                       'labor_mmseg.registry.SELECTION_STRATEGIES and import its module with '
                       'custom_imports)')
    return strategy


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
