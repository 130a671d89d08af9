# LabOR-SPL, MMSeg's UPerNet on a Swin Transformer (Swin-T's recipe) as A, CPU-sized (width
# 16, one block per stage, plain BN in the heads, from scratch; 19 classes instead of ADE20K's
# 150), on the synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True)
model = dict(segmentor=shipped_model(
    'mmseg::swin/swin-tiny-patch4-window7-in1k-pre_upernet_8xb2-160k_ade20k-512x512.py',
    backbone=dict(embed_dims=16, depths=[1, 1, 1, 1], num_heads=[1, 2, 4, 8], init_cfg=None),
    decode_head=dict(in_channels=[16, 32, 64, 128], channels=32, num_classes=19, norm_cfg=bn),
    auxiliary_head=dict(in_channels=64, channels=16, num_classes=19, norm_cfg=bn)),
    **_base_.labor)
