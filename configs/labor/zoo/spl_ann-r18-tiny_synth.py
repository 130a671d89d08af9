# LabOR-SPL, MMSeg's ANN (ResNet-D8, asymmetric non-local blocks) as A, CPU-sized (R18
# instead of R50, 1/4 of the channels, plain BN, from scratch), on the synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True)
model = dict(segmentor=shipped_model(
    'mmseg::ann/ann_r50-d8_4xb2-40k_cityscapes-512x1024.py', weights=False,
    backbone=dict(depth=18, stem_channels=16, base_channels=16, norm_cfg=bn),
    decode_head=dict(in_channels=[64, 128], channels=32, project_channels=16, norm_cfg=bn),
    auxiliary_head=dict(in_channels=64, channels=16, norm_cfg=bn)), **_base_.labor)
