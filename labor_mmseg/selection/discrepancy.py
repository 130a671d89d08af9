"""Classifier discrepancy (MCD) and the inconsistency mask of LabOR's pixel selector."""

from torch import Tensor

from .primitives import check_prob_pair, head_votes


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
    vote1, vote2 = head_votes(prob1, prob2)
    return vote1 != vote2
