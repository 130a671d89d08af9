# LabOR-SPL, MMSeg's STDC1 (its auxiliary and detail heads) as A, with the weights and
# optimizer MMSeg trains it with; GTA5 -> Cityscapes. CPU-sized sibling: spl_stdc1-tiny_synth.py.
_base_ = ['../../_base_/labor/spl_gta2cs.py']
from labor_mmseg.utils import shipped_model, shipped_optim_wrapper  # noqa: E402

model = dict(segmentor=shipped_model(
    'mmseg::stdc/stdc1_4xb12-80k_cityscapes-512x1024.py'),
    **_base_.labor)
optim_wrapper = dict(segmentor=dict(_delete_=True, **shipped_optim_wrapper(
    'mmseg::stdc/stdc1_4xb12-80k_cityscapes-512x1024.py')))
