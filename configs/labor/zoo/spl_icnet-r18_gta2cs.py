# LabOR-SPL, MMSeg's ICNet (R18-D8) as A, with the weights and optimizer
# MMSeg trains it with; GTA5 -> Cityscapes. CPU-sized sibling: spl_icnet-r18-tiny_synth.py.
_base_ = ['../../_base_/labor/spl_gta2cs.py']
from labor_mmseg.utils import shipped_model, shipped_optim_wrapper  # noqa: E402

model = dict(segmentor=shipped_model(
    'mmseg::icnet/icnet_r18-d8_4xb2-80k_cityscapes-832x832.py'),
    **_base_.labor)
optim_wrapper = dict(segmentor=dict(_delete_=True, **shipped_optim_wrapper(
    'mmseg::icnet/icnet_r18-d8_4xb2-80k_cityscapes-832x832.py')))
