"""ImageNet feature distance (DAFormer, Hoyer et al., CVPR 2022, Sec. 3.5) for A's backbone."""
import copy

import torch
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor, nn

from ..utils.feature_channels import feature_maps

# Cityscapes' thing classes (traffic light, sign, person, rider, car, truck, bus, train,
# motorcycle, bicycle): DAFormer's imnet_feature_dist_classes.
THING_CLASSES = (6, 7, 11, 12, 13, 14, 15, 16, 17, 18)


def kept_positions(labels: Tensor, size: tuple[int, int], classes: Tensor, min_ratio: float,
                   num_classes: int) -> Tensor:
    """(N, h, w) mask of the feature positions whose label patch is one of ``classes`` for at
    least ``min_ratio`` of its pixels (DAFormer's label downscaling: each class's share of the
    patch; ignored pixels, any value outside ``[0, num_classes)``, a class of their own).
    ``labels``: (N, H, W); the patches are those of adaptive average pooling to ``size``, so
    H and W need not be multiples of h and w."""
    labels = torch.where((labels < 0) | (labels >= num_classes), num_classes, labels)
    one_hot = F.one_hot(labels.long(), num_classes + 1).permute(0, 3, 1, 2).float()
    share, label = F.adaptive_avg_pool2d(one_hot, size).max(dim=1)
    return torch.isin(label, classes.to(label.device)) & (share >= min_ratio)


def last_level(features: list | Tensor) -> Tensor:
    """The deepest map of a backbone's outputs (DAFormer's ``feat[-1]``)."""
    return features if isinstance(features, Tensor) else feature_maps(features)[-1]


@MODELS.register_module()
class FeatureDistance(nn.Module):
    """Keeps A's source features on thing classes near those of A's backbone as initialised
    (ImageNet-pretrained where A loads such weights): what A knew of objects is not
    forgotten while it fits synthetic source images.

    - The reference: a frozen copy of A's backbone, set to A's backbone after A's
      ``init_weights`` (:meth:`reset`, called by ``LabOR.init_weights``), run in eval mode
      without gradient, saved in checkpoints (a resumed run keeps it, a ``load_from`` of A
      leaves it at A's initialisation).
    - The loss: ``weight`` times the mean, over the kept positions of the backbone's last
      level, of the L2 distance between A's features and the reference's (DAFormer Eq. 8-9;
      :func:`kept_positions`); 0 where no position is kept.

    Memory: one more copy of A's backbone (and one more forward of it per source batch).

    Args:
        weight: lambda_FD (DAFormer: 0.005).
        classes: The classes whose features are kept near the reference (DAFormer:
            Cityscapes' thing classes); None: every class.
        min_ratio: Share of a feature position's label patch its class needs (DAFormer: 0.75).
    """

    def __init__(self, weight: float = 0.005, classes: tuple[int, ...] | None = THING_CLASSES,
                 min_ratio: float = 0.75) -> None:
        super().__init__()
        if not 0 < min_ratio <= 1:
            raise ValueError('model.self_training.feature_distance.min_ratio must be in (0, 1], '
                             f'got {min_ratio}')
        self.weight = weight
        self.classes = None if classes is None else tuple(classes)
        self.min_ratio = min_ratio

    def attach(self, backbone: nn.Module) -> None:
        """Make the reference: a copy of A's ``backbone``, without gradients."""
        self.reference = copy.deepcopy(backbone).requires_grad_(False)
        self.reference.eval()  # some backbones' train() (MMSeg's ResNet) return None

    @torch.no_grad()
    def reset(self, backbone: nn.Module) -> None:
        """Set the reference to ``backbone``'s weights (A's, as initialised)."""
        self.reference.load_state_dict(backbone.state_dict())

    def train(self, mode: bool = True) -> 'FeatureDistance':
        """The reference stays in eval mode (its batch norm is never updated)."""
        super().train(mode)
        if hasattr(self, 'reference'):
            self.reference.eval()
        return self

    def loss(self, inputs: Tensor, labels: Tensor, features: list | Tensor,
             num_classes: int) -> Tensor:
        """The weighted feature distance of A's backbone outputs ``features`` (its levels, or
        one map) on the source batch ``inputs`` with labels ``labels`` (N, H, W) of
        ``num_classes`` classes."""
        student = last_level(features)
        with torch.no_grad():
            reference = last_level(self.reference(inputs))
        classes = (torch.arange(num_classes) if self.classes is None
                   else torch.tensor(self.classes))
        kept = kept_positions(labels, tuple(student.shape[-2:]), classes, self.min_ratio,
                              num_classes)
        if not kept.any():
            return student.sum() * 0  # in the graph: every rank reduces the same gradients
        distance = torch.linalg.vector_norm(student.float() - reference.float(), dim=1)
        return self.weight * distance[kept].mean()
