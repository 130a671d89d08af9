"""Segment-based Pixel Labeling (SPL) of LabOR."""

from torch import Tensor

from .discrepancy import (
    check_selection_inputs,
    classifier_discrepancy,
    inconsistency_mask,
    index_mask,
    top_k_indices,
)


def select_spl(prob1: Tensor, prob2: Tensor, budget: int, labeled: Tensor | None = None) -> Tensor:
    """Segment-based Pixel Labeling: label the inconsistency mask (LabOR, SPL).

    Candidates are the pixels where the two classifiers' argmax differ and that are not labeled
    yet. When there are more than ``budget`` of them, the ``budget`` most discrepant ones are kept
    (MCD discrepancy, see :func:`classifier_discrepancy`; ties go to the lowest row-major index).

    Args:
        prob1, prob2: ``[C, H, W]`` softmax maps of model B's two classifiers.
        budget: the most pixels to select, > 0.
        labeled: ``BoolTensor[H, W]`` of pixels already labeled, never selected again.

    Returns:
        ``BoolTensor[H, W]`` with exactly ``min(budget, #candidates)`` pixels set.
    """
    labeled = check_selection_inputs(prob1, prob2, budget, labeled)
    candidates = inconsistency_mask(prob1, prob2) & ~labeled
    index = candidates.view(-1).nonzero().squeeze(1)
    if index.numel() <= budget:
        return candidates
    if 2 * index.numel() > candidates.numel():
        scores = classifier_discrepancy(prob1, prob2).view(-1)[index]
    else:  # few candidates: gathering them is cheaper than the full map
        num_classes = prob1.shape[0]
        diff = prob1.reshape(num_classes, -1).index_select(1, index)
        diff -= prob2.reshape(num_classes, -1).index_select(1, index)
        scores = diff.abs_().mean(dim=0)
    return index_mask(top_k_indices(index, scores, budget), candidates.shape)
