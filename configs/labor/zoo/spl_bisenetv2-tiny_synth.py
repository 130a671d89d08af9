# LabOR-SPL, MMSeg's BiSeNetV2 (FCN head, its four auxiliary heads) as A, CPU-sized (1/4 of
# the channels, plain BN, from scratch), on the synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True)
model = dict(segmentor=shipped_model(
    'mmseg::bisenetv2/bisenetv2_fcn_4xb4-160k_cityscapes-1024x1024.py',
    backbone=dict(detail_channels=(16, 16, 32), semantic_channels=(8, 16, 32, 32),
                  bga_channels=32, norm_cfg=bn),
    decode_head=dict(in_channels=32, channels=64, norm_cfg=bn),
    auxiliary_head=[dict(type='FCNHead', in_channels=c, channels=c, num_convs=2, in_index=i,
                         num_classes=19, concat_input=False, norm_cfg=bn, align_corners=False)
                    for i, c in enumerate((8, 16, 32, 32), 1)]), **_base_.labor)
