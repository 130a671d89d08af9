"""Interior first: candidates on a boundary of B's class map ranked after the others."""

from numbers import Integral

import torch
from torch import Tensor

from .rank_keys import flag_last


def check_boundary_radius(radius: int) -> None:
    """Raise ``ValueError`` unless ``radius`` is an int >= 0 (``boundary_radius`` of
    ``select_spl`` and ``select_ppl``)."""
    if isinstance(radius, bool) or not isinstance(radius, Integral) or radius < 0:
        raise ValueError(f'boundary_radius must be an int >= 0, got {radius!r}')


def class_boundaries(classes: Tensor, radius: int) -> Tensor:
    """``BoolTensor[H, W]``: pixels of the class map ``classes`` (``[H, W]`` ints) with another
    class within ``radius`` pixels (Chebyshev distance), image borders not counting.

    One comparison of the map with itself shifted by each offset of half the window, marking
    both pixels of every differing pair: a few passes over a small-int map, where a max/min
    filter over the window costs ten times more on CPU.
    """
    h, w = classes.shape
    boundary = torch.zeros(classes.shape, dtype=torch.bool, device=classes.device)
    for dy in range(radius + 1):
        for dx in range(-radius, radius + 1):
            if dy == 0 and dx <= 0:  # the other half of the window: the same pairs
                continue
            here = (slice(0, h - dy), slice(max(0, -dx), w - max(0, dx)))
            there = (slice(dy, h), slice(max(0, dx), w - max(0, -dx)))
            differ = classes[here] != classes[there]
            boundary[here] |= differ
            boundary[there] |= differ
    return boundary


def boundary_last(rank_key: Tensor, classes: Tensor, vote1: Tensor, index: Tensor,
                  radius: int) -> Tensor:
    """``rank_key`` (int64 in ``[0, 2**31)``, ascending = picked first) of the candidates at
    flat pixels ``index``, with those within ``radius`` pixels of another class ranked after
    every other; ``radius`` 0 returns it unchanged.

    The class map is B's: ``classes`` (the candidates' voted classes) on the candidates, the
    first head's vote ``vote1`` (``[H, W]``; where the heads agree, their common vote)
    elsewhere. The keys are halved to leave bit 30 to the flag (:func:`flag_last`), so keys one
    apart may tie.
    """
    if radius == 0:
        return rank_key
    classes_map = vote1.to(torch.int16)  # class ids < 2**15; a small map to compare
    classes_map.view(-1)[index] = classes.to(torch.int16)
    on_boundary = class_boundaries(classes_map, radius).view(-1)[index]
    return flag_last(rank_key, on_boundary)
