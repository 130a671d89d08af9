# LabOR-SPL, MMSeg's UPerNet on mmpretrain's ConvNeXt (ConvNeXt-T's recipe) as A, CPU-sized
# (channels 16-128, one block per stage, plain BN in the heads, from scratch; 19 classes instead
# of ADE20K's 150; whole-image testing instead of 512x512 windows), on the synthetic benchmark.
# Needs mmpretrain, which imports torchvision: loading it without torchvision is an ImportError.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True)
model = dict(segmentor=shipped_model(
    'mmseg::convnext/convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py', weights=False,
    num_classes=19, backbone=dict(
        arch=dict(_delete_=True, depths=[1, 1, 1, 1], channels=[16, 32, 64, 128])),
    decode_head=dict(in_channels=[16, 32, 64, 128], channels=32, norm_cfg=bn),
    auxiliary_head=dict(in_channels=64, channels=16, norm_cfg=bn), test_cfg=dict(mode='whole')),
    **_base_.labor)
