# LabOR-SPL, MMSeg's Fast-SCNN (its two auxiliary heads) as A, CPU-sized (1/4 of the
# channels, plain BN, from scratch), on the synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True, momentum=0.01)
aux = dict(type='FCNHead', channels=16, num_convs=1, num_classes=19, concat_input=False,
           norm_cfg=bn, align_corners=False,
           loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=0.4))
model = dict(segmentor=shipped_model(
    'mmseg::fastscnn/fast_scnn_8xb4-160k_cityscapes-512x1024.py',
    backbone=dict(downsample_dw_channels=(8, 12), global_in_channels=16, higher_in_channels=16,
                  global_block_channels=(16, 24, 32), global_out_channels=32,
                  lower_in_channels=32, fusion_out_channels=32, norm_cfg=bn),
    decode_head=dict(in_channels=32, channels=32, norm_cfg=bn),
    auxiliary_head=[dict(aux, in_index=i, in_channels=c) for i, c in ((-2, 32), (-3, 16))]),
    **_base_.labor)
