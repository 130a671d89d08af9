# LabOR-SPL, MMSeg's LR-ASPP on MobileNetV3-small (D8) as A, with the weights and optimizer
# MMSeg trains it with; GTA5 -> Cityscapes (at 1280x640 each side is well over the 392 pixels
# its 49-pixel pooling needs). CPU-sized sibling: spl_lraspp-mobilenet-v3-s-tiny_synth.py.
_base_ = ['../../_base_/labor/spl_gta2cs.py']
from labor_mmseg.utils import shipped_model, shipped_optim_wrapper  # noqa: E402

model = dict(segmentor=shipped_model(
    'mmseg::mobilenet_v3/mobilenet-v3-d8-s_lraspp_4xb4-320k_cityscapes-512x1024.py'),
    **_base_.labor)
optim_wrapper = dict(segmentor=dict(_delete_=True, **shipped_optim_wrapper(
    'mmseg::mobilenet_v3/mobilenet-v3-d8-s_lraspp_4xb4-320k_cityscapes-512x1024.py')))
