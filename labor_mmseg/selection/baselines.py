"""Baseline selection strategies with the LabOR strategies' interface, to compare at equal cost."""

import torch
from torch import Tensor

from ..registry import SELECTION_STRATEGIES
from .primitives import check_selection_inputs, index_mask, top_k_indices


@SELECTION_STRATEGIES.register_module(name='random')
def select_random(prob1: Tensor, prob2: Tensor, budget: int, labeled: Tensor | None = None,
                  generator: torch.Generator | None = None) -> Tensor:
    """``budget`` pixels drawn uniformly, without replacement, among the unlabeled ones.

    The probabilities only fix the shape and device. ``generator`` (on that device) makes the draw
    reproducible; without it the global RNG is used.
    """
    labeled = check_selection_inputs(prob1, prob2, budget, labeled)
    index = (~labeled).view(-1).nonzero().squeeze(1)
    pick = torch.randperm(index.numel(), generator=generator, device=index.device)[:budget]
    return index_mask(index[pick], labeled.shape)


@SELECTION_STRATEGIES.register_module(name='entropy')
def select_entropy(prob1: Tensor, prob2: Tensor, budget: int,
                   labeled: Tensor | None = None) -> Tensor:
    """The ``budget`` unlabeled pixels of highest entropy of the mean prediction (uncertainty).

    Entropy of ``(prob1 + prob2) / 2`` per pixel; ties go to the lowest row-major index.
    """
    labeled = check_selection_inputs(prob1, prob2, budget, labeled)
    entropy = torch.special.entr((prob1 + prob2) / 2).sum(dim=0)
    index = (~labeled).view(-1).nonzero().squeeze(1)
    return index_mask(top_k_indices(index, entropy.view(-1)[index], budget), labeled.shape)
