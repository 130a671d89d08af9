"""Class-balanced budgets: how many picks each class gets, and which of its pixels they are."""

import torch
from torch import Tensor

from .rank_keys import (
    NUM_KEY_BINS,
    key_bin,
    pack_class_key,
    pack_key_position,
    unpack_class,
    unpack_position,
)


def class_quotas(counts: Tensor, k: int, held: Tensor | None = None) -> Tensor:
    """Split ``k`` points over classes holding ``counts`` candidates each (water-filling).

    The points lift the classes' totals, ``held`` (points a class already has, default none)
    plus quota, to one level, each quota capped by the class's candidates: with nothing held,
    every class with candidates gets an equal share and a class with fewer candidates than its
    share gives the rest to the others. The remainder below the next level goes one point each
    to the classes at the level with the most candidates (ties: lower class index). The quotas
    sum to ``min(k, counts.sum())``.
    """
    if k >= counts.sum():
        return counts.clone()
    held = torch.zeros_like(counts) if held is None else held.to(counts.dtype)

    def points_to_reach(level: Tensor) -> Tensor:
        """Points needed to lift every class to each of ``level`` (``[L]``): piecewise linear,
        with its breakpoints where a class starts (``held``) and stops (``held + counts``)."""
        return (level.unsqueeze(1) - held).clamp(min=0).minimum(counts).sum(dim=1)

    # The highest breakpoint reachable with k points (the lowest held level needs none), then
    # as many whole levels above it as the classes rising there (one point each) can pay for.
    breakpoints = torch.cat([held, held + counts])
    base = breakpoints[points_to_reach(breakpoints) <= k].max()
    rising = (held <= base) & (base < held + counts)
    level = base + (k - points_to_reach(base.view(1))[0]).div(rising.sum(), rounding_mode='floor')
    quotas = (level - held).clamp(min=0).minimum(counts)
    at_level = (held + quotas == level) & (quotas < counts)
    by_size = torch.sort(counts, descending=True, stable=True).indices
    takes = at_level[by_size]
    extra = torch.zeros_like(counts)
    extra[by_size] = (takes & (takes.cumsum(0) <= k - quotas.sum())).to(counts.dtype)
    return quotas + extra


MINIMA_ROUNDS = 8  # up to this many picks per class, repeated per-class minima beat one sort


def pick_per_class(classes: Tensor, rank_key: Tensor, num_classes: int, budget: int,
                   held: Tensor | None = None) -> Tensor:
    """Positions of ``min(budget, len(classes))`` entries spread over classes.

    Class k gets ``class_quotas(counts, budget, held)[k]`` of its entries, those of smallest
    ``rank_key`` (int64 values in ``[0, 2**31)``), ties going to the lower position. Small
    quotas (PPL's few points) take per-class minima of :func:`pack_key_position`'s keys, one
    scatter pass per pick; larger ones one stable sort of :func:`pack_class_key`'s
    ``(class << 32) | rank_key``, which ranks every entry within its class, over
    the entries a per-class histogram of ``rank_key`` cannot rule out (:func:`within_quota_bins`).
    """
    counts = torch.bincount(classes, minlength=num_classes)
    quotas = class_quotas(counts, budget, held)
    rounds = int(quotas.max())
    if rounds <= MINIMA_ROUNDS:
        never = torch.iinfo(torch.int64).max
        position = torch.arange(classes.numel(), device=classes.device)
        key = pack_key_position(rank_key, position)  # unique, ordered like (rank_key, position)
        picks = []
        for r in range(rounds):
            minima = torch.full_like(quotas, never).scatter_reduce_(0, classes, key, 'amin')
            picks.append(unpack_position(minima[quotas > r]))
            key[picks[-1]] = never
        return torch.cat(picks)
    kept = within_quota_bins(classes, rank_key, quotas)
    classes = classes[kept]
    counts = torch.bincount(classes, minlength=num_classes)
    sorted_key, order = pack_class_key(classes, rank_key[kept]).sort(stable=True)
    sorted_class = unpack_class(sorted_key)
    class_start = counts.cumsum(0) - counts
    rank = torch.arange(classes.numel(), device=classes.device) - class_start[sorted_class]
    return kept[order[rank < quotas[sorted_class]]]


def within_quota_bins(classes: Tensor, rank_key: Tensor, quotas: Tensor) -> Tensor:
    """Positions (ascending) of the entries whose ``rank_key`` bin is at most the bin holding
    their class's ``quotas[class]``-th smallest key: a superset of each class's picks, found with
    one histogram instead of a sort (a radix select's first digit)."""
    bins = key_bin(rank_key)
    histogram = torch.bincount(classes * NUM_KEY_BINS + bins,
                               minlength=quotas.numel() * NUM_KEY_BINS)
    last_bin = (histogram.view(-1, NUM_KEY_BINS).cumsum(1) < quotas.unsqueeze(1)).sum(1)
    return (bins <= last_bin[classes]).nonzero().squeeze(1)

