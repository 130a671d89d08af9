# LabOR-SPL, MMSeg's PointRend (ResNet-FPN, FPN head then point head: a cascade) as A,
# CPU-sized (R18 instead of R50, 1/4 of the backbone's channels, FPN and heads of width 16,
# 1/8 of the points, plain BN, from scratch), on the synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True)
shipped = 'mmseg::point_rend/pointrend_r50_4xb2-80k_cityscapes-512x1024.py'
fpn, point = shipped_model(shipped, weights=False).decode_head
model = dict(segmentor=shipped_model(
    shipped, weights=False, backbone=dict(depth=18, stem_channels=16, base_channels=16,
                                          norm_cfg=bn),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=16),
    decode_head=[dict(fpn, in_channels=[16] * 4, channels=16, norm_cfg=bn),
                 dict(point, in_channels=[16], channels=16)],
    train_cfg=dict(num_points=256), test_cfg=dict(subdivision_num_points=1024)),
    **_base_.labor)
del shipped, fpn, point
