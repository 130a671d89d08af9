"""Segment-based Pixel Labeling (SPL) of LabOR."""

import torch
from torch import Tensor

from ..registry import SELECTION_STRATEGIES
from .boundaries import boundary_last, check_boundary_radius
from .discrepancy import classifier_discrepancy, top_up
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


@SELECTION_STRATEGIES.register_module(name='spl')
def select_spl(prob1: Tensor, prob2: Tensor, budget: int, labeled: Tensor | None = None,
               boundary_radius: int = 0) -> Tensor:
    """Segment-based Pixel Labeling: label the inconsistency mask (LabOR, SPL).

    Candidates are the pixels where the two classifiers' argmax differ and that are not labeled
    yet; all of them are taken when they fit in ``budget``, and the rest of the budget goes to
    the most discrepant other pixels (:func:`top_up`: a round always spends its budget, also
    where B's heads agree almost everywhere). Otherwise the budget is split over
    the classes the candidates hold (:func:`voted_class`, :func:`class_quotas`) and each
    class takes its most discrepant candidates (MCD discrepancy,
    :func:`classifier_discrepancy`; ties go to the lowest row-major index). Ranking the whole
    mask by discrepancy instead spends a round's budget on one or two classes, mostly on their
    boundaries, and labels less of what the segmentor gets wrong. With ``boundary_radius`` > 0,
    each class takes its candidates inside its regions of B's class map first
    (:func:`boundary_last`, as in :func:`select_ppl`).

    Args:
        prob1, prob2: ``[C, H, W]`` softmax maps of model B's two classifiers.
        budget: the most pixels to select, > 0.
        labeled: ``BoolTensor[H, W]`` of pixels already labeled, never selected again.
        boundary_radius: rank candidates this close to a class boundary last (0: off).

    Returns:
        ``BoolTensor[H, W]`` with exactly ``min(budget, #unlabeled pixels)`` pixels set.
    """
    labeled = check_selection_inputs(prob1, prob2, budget, labeled)
    check_boundary_radius(boundary_radius)
    vote1, vote2, candidates, index = unlabeled_candidates(prob1, prob2, labeled)
    if index.numel() <= budget:
        return top_up(prob1, prob2, candidates, labeled, budget)
    columns = scan_columns(index, candidates.numel())
    classes, scores = [], []
    for _, (part1, part2, v1, v2) in pixel_chunks([prob1, prob2, vote1[None], vote2[None]],
                                                  columns):
        classes.append(voted_class(part1 + part2, v1, v2))
        scores.append(classifier_discrepancy(part1.unsqueeze(1), part2.unsqueeze(1)).view(-1))
    classes, scores = torch.cat(classes), torch.cat(scores)
    if columns is None:
        classes, scores = classes[index], scores[index]
    rank_key = boundary_last(float_rank_key(scores, descending=True), classes, vote1, index,
                             boundary_radius)
    keep = pick_per_class(classes, rank_key, prob1.shape[0], budget)
    return index_mask(index[keep], candidates.shape)
