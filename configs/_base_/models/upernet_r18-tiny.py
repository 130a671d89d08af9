# MMSeg's UPerNet with its auxiliary FCN head, CPU-sized for the synthetic benchmark: ResNet-18
# with 1/4 of the channels, plain BN, trained from scratch.
_base_ = ['mmseg::_base_/models/upernet_r50.py']
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(depth=18, stem_channels=16, base_channels=16, norm_cfg=norm_cfg),
    decode_head=dict(in_channels=[16, 32, 64, 128], channels=32, norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=64, channels=16, norm_cfg=norm_cfg))
