# LabOR-SPL, MMSeg's DeepLabV3 (R18-D8) as A, CPU-sized (1/4 of the channels, ASPP dilations
# scaled to 128x256 images, plain BN, from scratch), on the synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True)
model = dict(segmentor=shipped_model(
    'mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py', pretrained=None,
    backbone=dict(stem_channels=16, base_channels=16, norm_cfg=bn),
    decode_head=dict(in_channels=128, channels=32, dilations=(1, 2, 3, 4), norm_cfg=bn),
    auxiliary_head=dict(in_channels=64, channels=16, norm_cfg=bn)), **_base_.labor)
