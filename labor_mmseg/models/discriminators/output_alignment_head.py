"""AdaptSegNet's output-space adversarial alignment (Tsai et al., CVPR 2018)."""
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from torch import Tensor, nn

SOURCE_LABEL = 1.0
TARGET_LABEL = 0.0


def domain_bce(domain_logits: Tensor, label: float) -> Tensor:
    """Mean BCE of every location's domain logit against a constant domain label."""
    return F.binary_cross_entropy_with_logits(
        domain_logits, torch.full_like(domain_logits, label))


@MODELS.register_module()
class OutputAlignmentHead(BaseModule):
    """Adversarial output-alignment head: a fully-convolutional discriminator on softmax maps.

    Four 4x4 stride-2 convs (``channels``) with LeakyReLU(0.2), then a 4x4 conv to one domain
    logit per location (AdaptSegNet). Source maps are labeled 1, target maps 0. ``forward``
    returns the discriminator's own loss, so that its training step goes through the module's
    ``__call__`` (and DDP's gradient synchronisation); the segmentor's adversarial loss is
    :meth:`loss_adversarial`, evaluated with the discriminator frozen.

    Args:
        num_classes: Channels of the softmax maps it reads.
        channels: Widths of the hidden convs; AdaptSegNet uses (64, 128, 256, 512).
        negative_slope: LeakyReLU slope.
    """

    def __init__(self,
                 num_classes: int = 19,
                 channels: tuple[int, ...] = (64, 128, 256, 512),
                 negative_slope: float = 0.2,
                 init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg)
        self.num_classes = num_classes
        layers: list[nn.Module] = []
        in_channels = num_classes
        for out_channels in channels:
            layers += [nn.Conv2d(in_channels, out_channels, 4, stride=2, padding=1),
                       nn.LeakyReLU(negative_slope, inplace=True)]
            in_channels = out_channels
        layers.append(nn.Conv2d(in_channels, 1, 4, stride=2, padding=1))
        self.layers = nn.Sequential(*layers)

    def domain_logits(self, probs: Tensor) -> Tensor:
        """Domain logits (N, 1, h, w) of softmax maps ``probs`` (N, C, H, W)."""
        return self.layers(probs)

    def forward(self, source_probs: Tensor, target_probs: Tensor) -> Tensor:
        """Discriminator loss, source vs target maps (AdaptSegNet Eq. 2), averaged per domain.

        L_d = -sum_{h,w} (1 - z) log(1 - D(P)^{(h,w)}) + z log D(P)^{(h,w)}, z = 1 for source.
        Both domains share one forward; target maps are resized to the source size if needed.
        """
        if source_probs.shape[2:] != target_probs.shape[2:]:
            target_probs = F.interpolate(
                target_probs, size=source_probs.shape[2:], mode='bilinear', align_corners=False)
        logits = self.domain_logits(torch.cat([source_probs, target_probs]))
        num_source = source_probs.shape[0]
        return (domain_bce(logits[:num_source], SOURCE_LABEL) +
                domain_bce(logits[num_source:], TARGET_LABEL)) / 2

    def loss_adversarial(self, target_probs: Tensor) -> Tensor:
        """Segmentor's adversarial loss, target maps made to look like source (AdaptSegNet Eq. 4).

        L_adv = -sum_{h,w} log D(P_t)^{(h,w)}: BCE of D(P_t) against the source label.
        """
        return domain_bce(self.domain_logits(target_probs), SOURCE_LABEL)
