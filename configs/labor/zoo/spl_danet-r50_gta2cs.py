# LabOR-SPL, MMSeg's DANet (R50-D8) as A,
# with the weights and optimizer MMSeg trains it with; GTA5 -> Cityscapes.
# CPU-sized sibling: spl_danet-r18-tiny_synth.py.
_base_ = ['../../_base_/labor/spl_gta2cs.py']
from labor_mmseg.utils import shipped_model, shipped_optim_wrapper  # noqa: E402

model = dict(segmentor=shipped_model(
    'mmseg::danet/danet_r50-d8_4xb2-40k_cityscapes-512x1024.py'),
    **_base_.labor)
optim_wrapper = dict(segmentor=dict(_delete_=True, **shipped_optim_wrapper(
    'mmseg::danet/danet_r50-d8_4xb2-40k_cityscapes-512x1024.py')))
