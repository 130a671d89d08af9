"""A selection strategy a user registers in their own module (imported via ``custom_imports``)."""
import torch
from torch import Tensor

from labor_mmseg.registry import SELECTION_STRATEGIES


@SELECTION_STRATEGIES.register_module(name='top_rows_first')
def select_top_rows(prob1: Tensor, prob2: Tensor, budget: int,
                    labeled: Tensor | None = None) -> Tensor:
    """The first ``budget`` unlabeled pixels in row-major order."""
    free = torch.ones(prob1.shape[1:], dtype=torch.bool) if labeled is None else ~labeled
    index = free.view(-1).nonzero().squeeze(1)[:budget]
    mask = torch.zeros(free.numel(), dtype=torch.bool)
    mask[index] = True
    return mask.view(free.shape)
