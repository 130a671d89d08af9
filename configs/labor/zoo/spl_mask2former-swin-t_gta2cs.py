# LabOR-SPL, MMSeg's Mask2Former (Swin-T) as A,
# with the weights and optimizer MMSeg trains it with; GTA5 -> Cityscapes.
# CPU-sized sibling: spl_mask2former-swin-tiny_synth.py.
_base_ = ['../../_base_/labor/spl_gta2cs.py']
from labor_mmseg.utils import shipped_model, shipped_optim_wrapper  # noqa: E402

model = dict(segmentor=shipped_model(
    'mmseg::mask2former/mask2former_swin-t_8xb2-90k_cityscapes-512x1024.py'),
    **_base_.labor)
optim_wrapper = dict(segmentor=dict(_delete_=True, **shipped_optim_wrapper(
    'mmseg::mask2former/mask2former_swin-t_8xb2-90k_cityscapes-512x1024.py')))
