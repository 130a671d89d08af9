# LabOR-SPL, MMSeg's ICNet (R18-D8, its two auxiliary heads) as A, CPU-sized (1/4 of the
# channels, plain BN, from scratch), on the synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True)
head = dict(type='FCNHead', in_channels=32, channels=32, num_convs=1, num_classes=19,
            norm_cfg=bn, concat_input=False, align_corners=False)
model = dict(segmentor=shipped_model(
    'mmseg::icnet/icnet_r18-d8_4xb2-80k_cityscapes-832x832.py',
    backbone=dict(backbone_cfg=dict(stem_channels=16, base_channels=16, norm_cfg=bn),
                  layer_channels=(32, 128), light_branch_middle_channels=8,
                  psp_out_channels=64, out_channels=(16, 32, 32), norm_cfg=bn),
    neck=dict(in_channels=(16, 32, 32), out_channels=32, norm_cfg=bn),
    decode_head=dict(in_channels=32, channels=32, dropout_ratio=0, norm_cfg=bn),
    auxiliary_head=[dict(head, in_index=i, loss_decode=dict(type='CrossEntropyLoss',
                                                            loss_weight=0.4)) for i in (0, 1)]),
    **_base_.labor)
