"""Point-based Pixel Labeling (PPL) of LabOR."""

from collections.abc import Iterator

import torch
from torch import Tensor

from ..registry import SELECTION_STRATEGIES
from .boundaries import boundary_last, check_boundary_radius
from .discrepancy import top_up
from .primitives import (
    check_selection_inputs,
    index_mask,
    pixel_chunks,
    scan_columns,
    unlabeled_candidates,
    voted_class,
)
from .quotas import pick_per_class
from .rank_keys import float_rank_key


@SELECTION_STRATEGIES.register_module(name='ppl')
def select_ppl(prob1: Tensor, prob2: Tensor, budget: int, labeled: Tensor | None = None,
               features: Tensor | None = None, boundary_radius: int = 0) -> Tensor:
    """Point-based Pixel Labeling: the most representative uncertain pixels per class (LabOR, PPL).

    The candidate set D holds the pixels of the inconsistency mask not labeled yet. Each candidate
    gets a class (:func:`voted_class`: of the two classes the classifiers vote for, the one
    of higher mean probability); for every class k present, D(k) are its candidates and mu(k)
    the mean of their feature vectors. The ``budget`` points are split over the classes present
    (:func:`class_quotas`) and each class takes its pixels closest (L2) to mu(k), distances
    compared in float32, ties going to the lowest row-major index.

    Over rounds (not in the paper, which is silent on them): the ``labeled`` pixels count as
    points of their class (voted the same way), and the split tops up the classes holding the
    fewest. A round's share of the budget (8 of 40 points over 5 rounds) is often smaller than the
    number of classes present; without this the same largest classes would take it every round
    and the small ones (poles, signs, riders) would never get a point.

    Interior first (not in the paper; ``boundary_radius`` > 0): candidates within
    ``boundary_radius`` pixels of another class in the map of B's classes (the voted class on
    D, the heads' common vote elsewhere) are ranked after every interior candidate of their
    class, so a class takes boundary pixels only when it has too few interior ones. Most of the
    inconsistency mask is a thin band where the heads place a boundary differently; an interior
    candidate marks a region whose class the heads dispute. Distances are then compared to
    within one unit in the last place of float32.

    Args:
        prob1, prob2: ``[C, H, W]`` softmax maps of model B's two classifiers.
        budget: the number of points to select, > 0.
        labeled: ``BoolTensor[H, W]`` of pixels already labeled, never selected again.
        features: ``[F, H, W]`` per-pixel features; default the mean probability map.
        boundary_radius: rank candidates this close to a class boundary last (0: off).

    Returns:
        ``BoolTensor[H, W]`` with exactly ``min(budget, #unlabeled pixels)`` pixels set: when
        D holds fewer than ``budget``, the rest are the most discrepant other pixels
        (:func:`top_up`: a round always spends its budget).
    """
    labeled = check_selection_inputs(prob1, prob2, budget, labeled)
    check_boundary_radius(boundary_radius)
    num_classes = prob1.shape[0]
    if features is not None and (features.dim() != 3 or features.shape[1:] != prob1.shape[1:]
                                 or features.device != prob1.device):
        raise ValueError(f'features must be [F, {prob1.shape[1]}, {prob1.shape[2]}] on '
                         f'{prob1.device}, got {tuple(features.shape)} on {features.device}')
    vote1, vote2, candidates, index = unlabeled_candidates(prob1, prob2, labeled)
    if index.numel() <= budget:
        return top_up(prob1, prob2, candidates, labeled, budget)

    held = labeled_class_counts(prob1, prob2, vote1, vote2, labeled)
    columns = scan_columns(index, candidates.numel())
    maps = [prob1, prob2, vote1[None], vote2[None]] + ([] if features is None else [features])
    feats_map = prob1 if features is None else features
    dtype = torch.promote_types(feats_map.dtype, torch.float32)
    not_candidate = ~candidates.view(-1)

    def chunks() -> Iterator[tuple[Tensor, Tensor]]:
        """(classes, features [F, n]) of the pixels, chunk by chunk. On a full-map scan the
        pixels that are no candidates go to an extra class, num_classes, dropped at the end."""
        for start, (part1, part2, v1, v2, *own) in pixel_chunks(maps, columns):
            mean = (part1 + part2).div_(2)
            classes = voted_class(mean, v1, v2)
            if columns is None:
                classes.masked_fill_(not_candidate[start:start + classes.numel()], num_classes)
            yield classes, (own[0] if own else mean).to(dtype)

    # mu(k): the mean feature of the candidates D(k) of class k ...
    sums = torch.zeros(feats_map.shape[0], num_classes + 1, dtype=dtype, device=prob1.device)
    counts = torch.zeros(num_classes + 1, dtype=torch.long, device=prob1.device)
    for classes, feats in chunks():
        sums.index_add_(1, classes, feats)
        counts += torch.bincount(classes, minlength=num_classes + 1)
    prototypes = sums / counts.clamp(min=1)
    # ... and each candidate's squared L2 distance to the prototype of its class.
    pred, dist = map(torch.cat, zip(*(
        (classes, prototypes.index_select(1, classes).sub_(feats).square_().sum(dim=0))
        for classes, feats in chunks()), strict=True))
    if columns is None:
        pred, dist = pred[index], dist[index]
    rank_key = boundary_last(float_rank_key(dist), pred, vote1, index, boundary_radius)
    return index_mask(index[pick_per_class(pred, rank_key, num_classes, budget, held)],
                      candidates.shape)


def labeled_class_counts(prob1: Tensor, prob2: Tensor, vote1: Tensor, vote2: Tensor,
                         labeled: Tensor) -> Tensor:
    """``[C]``: how many of the ``labeled`` pixels each class holds, by :func:`voted_class`."""
    pixels = labeled.view(-1).nonzero().squeeze(1)
    classes = voted_class(prob1.flatten(1)[:, pixels] + prob2.flatten(1)[:, pixels],
                          vote1.view(1, -1)[:, pixels], vote2.view(1, -1)[:, pixels])
    return torch.bincount(classes, minlength=prob1.shape[0])
