"""MCD classifier discrepancy as a loss module (Saito et al., CVPR 2018)."""
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor, nn

from ...selection import classifier_discrepancy


@MODELS.register_module()
class DiscrepancyLoss(nn.Module):
    """Mean L1 distance between two classifiers' softmax maps (MCD Eq. 1).

    d(p1, p2) = 1/K sum_k |p1_k - p2_k|, averaged over pixels. The caller decides its sign:
    LabOR maximises it w.r.t. the selector's classifiers (``loss = CE - w * d``).

    Args:
        loss_weight: Multiplier on the returned value.
        loss_name: Key under which the value is logged.
    """

    def __init__(self, loss_weight: float = 1.0, loss_name: str = 'loss_discrepancy') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self, logits1: Tensor, logits2: Tensor) -> Tensor:
        """Weighted mean discrepancy of two logit maps (N, K, H, W)."""
        prob1, prob2 = F.softmax(logits1, dim=1), F.softmax(logits2, dim=1)
        return self.loss_weight * classifier_discrepancy(prob1, prob2).mean()

    @property
    def loss_name(self) -> str:
        """Name used in logs."""
        return self._loss_name
