"""Point-based Pixel Labeling (PPL) of LabOR."""

import torch
from torch import Tensor

from .discrepancy import check_selection_inputs, inconsistency_mask, index_mask


def class_quotas(counts: Tensor, k: int) -> Tensor:
    """Split ``k`` points over classes holding ``counts`` candidates each (water-filling).

    Every class with candidates gets an equal share; a class with fewer candidates than its share
    gives the rest to the others; the remainder of the division goes one point each to the classes
    with the most candidates (ties: lower class index). The quotas sum to ``min(k, counts.sum())``.
    """
    if k >= counts.sum():
        return counts.clone()
    # If the j smallest classes are saturated (get all saturated[j] of their candidates), the
    # other C - j classes share k - saturated[j] points equally: the water level is that share
    # for the first j at which the (j+1)-th smallest class is not saturated by it.
    ascending = counts.sort().values
    saturated = ascending.cumsum(0) - ascending
    remaining = torch.arange(counts.numel(), 0, -1, device=counts.device)
    shares = (k - saturated).div(remaining, rounding_mode='floor')
    level = shares[(shares < ascending).int().argmax()]
    quotas = counts.clamp(max=level)
    by_size = torch.sort(counts, descending=True, stable=True).indices
    above = counts[by_size] > level
    extra = torch.zeros_like(counts)
    extra[by_size] = (above & (above.cumsum(0) <= k - quotas.sum())).to(counts.dtype)
    return quotas + extra


def select_ppl(prob1: Tensor, prob2: Tensor, budget: int, labeled: Tensor | None = None,
               features: Tensor | None = None) -> Tensor:
    """Point-based Pixel Labeling: the most representative uncertain pixels per class (LabOR, PPL).

    The candidate set D holds the pixels of the inconsistency mask not labeled yet. Each candidate
    is assigned the argmax class of ``(prob1 + prob2) / 2``; for every class k present, D(k) are its
    candidates and mu(k) the mean of their feature vectors. The ``budget`` points are split over the
    classes present (:func:`class_quotas`) and each class takes its pixels closest (L2) to mu(k),
    distances compared in float32, ties going to the lowest row-major index.

    Args:
        prob1, prob2: ``[C, H, W]`` softmax maps of model B's two classifiers.
        budget: the number of points to select, > 0.
        labeled: ``BoolTensor[H, W]`` of pixels already labeled, never selected again.
        features: ``[F, H, W]`` per-pixel features; default the mean probability map.

    Returns:
        ``BoolTensor[H, W]`` with exactly ``min(budget, |D|)`` pixels set.
    """
    labeled = check_selection_inputs(prob1, prob2, budget, labeled)
    num_classes = prob1.shape[0]
    if features is not None and (features.dim() != 3 or features.shape[1:] != prob1.shape[1:]
                                 or features.device != prob1.device):
        raise ValueError(f'features must be [F, {prob1.shape[1]}, {prob1.shape[2]}] on '
                         f'{prob1.device}, got {tuple(features.shape)} on {features.device}')
    candidates = inconsistency_mask(prob1, prob2) & ~labeled
    index = candidates.view(-1).nonzero().squeeze(1)
    if index.numel() <= budget:
        return candidates

    mean_prob = prob1.reshape(num_classes, -1).index_select(1, index)
    flat2 = prob2.reshape(num_classes, -1)
    for c in range(num_classes):  # row by row: no second [C, N] temporary
        mean_prob[c] += flat2[c, index]
    mean_prob /= 2
    pred = mean_prob.max(dim=0).indices
    if features is None:
        feats = mean_prob
    else:
        feats = features.reshape(features.shape[0], -1).index_select(1, index)
    feats = feats.to(torch.promote_types(feats.dtype, torch.float32))

    counts = torch.bincount(pred, minlength=num_classes)
    sums = feats.new_zeros(feats.shape[0], num_classes).index_add_(1, pred, feats)
    prototypes = sums / counts.clamp(min=1)
    dist = torch.cat([prototypes.index_select(1, p).sub_(f).square_().sum(dim=0)
                      for p, f in zip(pred.split(1 << 16), feats.split(1 << 16, dim=1),
                                      strict=True)])
    del mean_prob, feats  # not needed for the ranking: frees about one logits map before the sort

    # Rank the candidates by (class, distance, pixel index) with one stable sort: the bits of a
    # non-negative float32 order like its value, so they fit below the class id in an int64 key.
    key = (pred << 32) | dist.float().view(torch.int32).long()
    sorted_key, order = key.sort(stable=True)
    sorted_pred = sorted_key >> 32
    class_start = counts.cumsum(0) - counts
    rank = torch.arange(index.numel(), device=index.device) - class_start[sorted_pred]
    keep = rank < class_quotas(counts, budget)[sorted_pred]
    return index_mask(index[order[keep]], candidates.shape)
