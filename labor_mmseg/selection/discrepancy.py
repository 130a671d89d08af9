"""Classifier discrepancy (MCD) and the primitives shared by the selection strategies."""

from numbers import Integral

import torch
from torch import Tensor


def classifier_discrepancy(prob1: Tensor, prob2: Tensor) -> Tensor:
    """Per-pixel discrepancy between the two classifiers of LabOR's pixel selector (model B).

    MCD's discrepancy: the mean over classes of ``|prob1 - prob2|`` (LabOR does not publish its
    exact form). Inputs are ``[..., C, H, W]`` softmax maps; returns ``[..., H, W]``.
    """
    check_prob_pair(prob1, prob2)
    return (prob1 - prob2).abs_().mean(dim=-3)


def inconsistency_mask(prob1: Tensor, prob2: Tensor) -> Tensor:
    """Pixels where the two classifiers' argmax differ (LabOR's inconsistency mask).

    Inputs are ``[..., C, H, W]``; returns a ``BoolTensor[..., H, W]``.
    """
    check_prob_pair(prob1, prob2)
    # max(dim).indices is argmax (first maximum on ties) but about 3x faster on CPU here.
    return prob1.max(dim=-3).indices != prob2.max(dim=-3).indices


def check_prob_pair(prob1: Tensor, prob2: Tensor) -> None:
    """Raise ``ValueError`` unless the two maps are ``[..., C, H, W]`` of one shape and device."""
    if prob1.dim() < 3:
        raise ValueError(f'probability maps must be [..., C, H, W], got shape {tuple(prob1.shape)}')
    if prob1.shape != prob2.shape:
        raise ValueError(
            f'prob1 and prob2 differ in shape: {tuple(prob1.shape)} vs {tuple(prob2.shape)}')
    if prob1.device != prob2.device:
        raise ValueError(f'prob1 and prob2 differ in device: {prob1.device} vs {prob2.device}')


def check_selection_inputs(prob1: Tensor, prob2: Tensor, budget: int,
                           labeled: Tensor | None) -> Tensor:
    """Validate one image's selection inputs; return the labeled mask (all false if ``None``).

    ``prob1, prob2`` are ``[C, H, W]``, ``budget`` a positive pixel count, ``labeled`` a
    ``BoolTensor[H, W]`` on the same device or ``None`` (nothing labeled yet).
    """
    check_prob_pair(prob1, prob2)
    if prob1.dim() != 3:
        raise ValueError(f'selection works on one image [C, H, W], got shape {tuple(prob1.shape)}')
    if isinstance(budget, bool) or not isinstance(budget, Integral):
        raise TypeError(f'budget must be an int number of pixels, got {budget!r}')
    if budget <= 0:
        raise ValueError(f'budget must be a positive number of pixels, got {budget}')
    hw = prob1.shape[1:]
    if labeled is None:
        return torch.zeros(hw, dtype=torch.bool, device=prob1.device)
    if labeled.dtype != torch.bool or labeled.shape != hw:
        raise ValueError(f'labeled must be a BoolTensor{list(hw)}, '
                         f'got {labeled.dtype} of shape {tuple(labeled.shape)}')
    if labeled.device != prob1.device:
        raise ValueError(f'labeled is on {labeled.device}, the probabilities on {prob1.device}')
    return labeled


def top_k_indices(index: Tensor, scores: Tensor, k: int) -> Tensor:
    """The ``k`` entries of ``index`` (ascending flat pixel indices) with the highest ``scores``.

    All of ``index`` is returned when it holds at most ``k`` entries. Ties at the k-th score go to
    the lowest pixel indices, so the result does not depend on the device's top-k implementation.
    """
    if index.numel() <= k:
        return index
    kth = scores.topk(k, sorted=False).values.min()
    above = scores > kth
    tied = scores == kth
    return index[above | (tied & (tied.cumsum(0) <= k - above.sum()))]


def index_mask(index: Tensor, shape: torch.Size) -> Tensor:
    """A ``BoolTensor`` of ``shape`` that is true at the given flat indices."""
    mask = torch.zeros(shape.numel(), dtype=torch.bool, device=index.device)
    mask[index] = True
    return mask.view(shape)
