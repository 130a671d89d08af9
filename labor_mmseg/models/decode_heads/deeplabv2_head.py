"""DeepLab-v2 ASPP classifier (Chen et al., TPAMI 2017), as used by AdaptSegNet and LabOR."""
from collections.abc import Sequence

import torch
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class DeepLabV2Head(BaseDecodeHead):
    """DeepLab-v2 classifier: parallel dilated 3x3 convs to class logits, summed.

    Unlike MMSeg's ``ASPPHead`` (DeepLab-v3: concatenation, image pooling, BN), each branch
    maps the backbone feature straight to ``num_classes`` logits and the branches are added.

    Args:
        dilations: Dilation of each 3x3 branch; DeepLab-v2 uses (6, 12, 18, 24).
        **kwargs: ``BaseDecodeHead`` arguments. ``channels`` is unused by DeepLab-v2 and
            defaults to ``in_channels``; ``dropout_ratio`` defaults to 0.
    """

    def __init__(self,
                 dilations: Sequence[int] = (6, 12, 18, 24),
                 dropout_ratio: float = 0.0,
                 init_cfg: dict | None = None,
                 **kwargs) -> None:
        kwargs.setdefault('channels', kwargs.get('in_channels'))
        super().__init__(
            dropout_ratio=dropout_ratio,
            init_cfg=init_cfg or dict(type='Normal', std=0.01, layer='Conv2d'),
            **kwargs)
        del self.conv_seg  # each branch is its own classifier
        self.dilations = tuple(dilations)
        self.aspp = nn.ModuleList(
            nn.Conv2d(self.in_channels, self.out_channels, 3, padding=d, dilation=d)
            for d in self.dilations)

    def forward(self, inputs: list[Tensor]) -> Tensor:
        """Sum the logits of the dilated branches."""
        x = self._transform_inputs(inputs)
        if self.dropout is not None:
            x = self.dropout(x)
        return torch.stack([branch(x) for branch in self.aspp]).sum(0)
