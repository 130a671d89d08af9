# LabOR-SPL, MMSeg's FPN on mmpretrain's PoolFormer (PoolFormer-S12's recipe) as A, CPU-sized
# (widths 16-128, one block per stage, an FPN and head of width 32, plain BN in the head, from
# scratch; 19 classes instead of ADE20K's 150), on the synthetic benchmark.
# Needs mmpretrain, which imports torchvision: loading it without torchvision is an ImportError.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

model = dict(segmentor=shipped_model(
    'mmseg::poolformer/fpn_poolformer_s12_8xb4-40k_ade20k-512x512.py', weights=False,
    num_classes=19, backbone=dict(
        arch=dict(_delete_=True, layers=[1, 1, 1, 1], embed_dims=[16, 32, 64, 128])),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=32),
    decode_head=dict(in_channels=[32, 32, 32, 32], channels=32,
                     norm_cfg=dict(type='BN', requires_grad=True))), **_base_.labor)
