# MMSeg's DeepLabV3+ (auxiliary head included), CPU-sized for the synthetic benchmark: dilated
# ResNet-18 with 1/4 of the channels, plain BN, trained from scratch.
_base_ = ['mmseg::_base_/models/deeplabv3plus_r50-d8.py']
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(depth=18, stem_channels=16, base_channels=16, norm_cfg=norm_cfg),
    decode_head=dict(in_channels=128, channels=32, c1_in_channels=16, c1_channels=8,
                     dilations=(1, 2, 3, 4), norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=64, channels=16, norm_cfg=norm_cfg))
