# LabOR-SPL, MMSeg's ISANet (ResNet-D8) as A, CPU-sized (R18 instead of R50, 1/4 of the
# channels, ISA's partition scaled to 128x256 images, plain BN, from scratch), on the
# synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True)
model = dict(segmentor=shipped_model(
    'mmseg::isanet/isanet_r50-d8_4xb2-40k_cityscapes-512x1024.py', pretrained=None,
    backbone=dict(depth=18, stem_channels=16, base_channels=16, norm_cfg=bn),
    decode_head=dict(in_channels=128, channels=32, isa_channels=16, down_factor=(2, 2),
                     norm_cfg=bn),
    auxiliary_head=dict(in_channels=64, channels=16, norm_cfg=bn)), **_base_.labor)
