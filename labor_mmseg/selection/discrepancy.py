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


def top_up(prob1: Tensor, prob2: Tensor, chosen: Tensor, labeled: Tensor,
           budget: int) -> Tensor:
    """``chosen`` plus, while it holds fewer than ``budget`` pixels, the pixels neither chosen
    nor labeled where B's heads differ most (:func:`classifier_discrepancy`; equal
    discrepancies by the entropy of their mean prediction, then the lowest row-major index).

    A round always spends its budget: where B's two heads agree on all but a few pixels (an
    inconsistency mask smaller than the round's share), the rest is bought where they come
    closest to disagreeing, instead of nothing. A no-op when ``chosen`` fills the budget.
    """
    need = budget - int(chosen.sum())
    free = ~(chosen | labeled)
    if need <= 0 or not free.any():
        return chosen
    mean = (prob1 + prob2) / 2
    entropy = -(mean * mean.clamp_min(1e-12).log()).sum(dim=0).view(-1)
    discrepancy = classifier_discrepancy(prob1, prob2).view(-1)
    index = free.view(-1).nonzero().squeeze(1)
    order = index[entropy[index].argsort(descending=True, stable=True)]
    order = order[discrepancy[order].argsort(descending=True, stable=True)]
    out = chosen.clone().view(-1)
    out[order[:need]] = True
    return out.view(chosen.shape)
