"""Model B's classifiers: two DeepLab-v2 heads whose disagreement marks pixels worth labeling."""
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class DualHeadSelector(BaseModule):
    """Two pixel classifiers on one feature map (LabOR Sec. 3.2, model B).

    Both are built from ``head`` (default a ``DeepLabV2Head``) and initialised with separate
    random draws, so they start apart. They are trained on the target with pseudo-labels
    (:meth:`loss_pseudo`) while their discrepancy (:attr:`discrepancy_loss`) is maximised with
    respect to them only; where their argmax disagree is the inconsistency mask.

    Args:
        head: Config of one classifier.
        pseudo_label_loss: Loss on pseudo-labels, averaged over labeled pixels.
        discrepancy_loss: The classifier discrepancy (MCD).
    """

    def __init__(self,
                 head: dict,
                 pseudo_label_loss: dict = dict(
                     type='CrossEntropyLoss', avg_non_ignore=True, loss_name='loss_pseudo'),
                 discrepancy_loss: dict = dict(type='DiscrepancyLoss'),
                 init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg)
        self.head1 = MODELS.build(head)
        self.head2 = MODELS.build(head)
        self.pseudo_label_loss = MODELS.build(pseudo_label_loss)
        self.discrepancy_loss = MODELS.build(discrepancy_loss)

    @property
    def ignore_index(self) -> int:
        """Label value that marks pixels without a (pseudo-)label."""
        return self.head1.ignore_index

    def forward(self, feats: list[Tensor]) -> tuple[Tensor, Tensor]:
        """Logits of both classifiers for backbone features ``feats``."""
        return self.head1(feats), self.head2(feats)

    def loss_pseudo(self, logits: tuple[Tensor, Tensor], labels: Tensor) -> Tensor:
        """Pseudo-label cross-entropy of both classifiers at the resolution of ``labels``."""
        return sum(
            self.pseudo_label_loss(
                F.interpolate(x, size=labels.shape[1:], mode='bilinear', align_corners=False),
                labels, ignore_index=self.ignore_index)
            for x in logits)
