# LabOR-SPL, MMSeg's HRNet-FCN (HRNetV2-W18-Small) as A, CPU-sized (W8: branches of 8-64
# channels, plain BN, from scratch), on the synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True)
widths = (8, 16, 32, 64)
model = dict(segmentor=shipped_model(
    'mmseg::hrnet/fcn_hr18s_4xb2-40k_cityscapes-512x1024.py', pretrained=None,
    backbone=dict(norm_cfg=bn, extra=dict(stage1=dict(num_channels=(16, )), **{
        f'stage{n}': dict(num_channels=widths[:n]) for n in (2, 3, 4)})),
    decode_head=dict(in_channels=list(widths), channels=sum(widths), norm_cfg=bn)),
    **_base_.labor)
