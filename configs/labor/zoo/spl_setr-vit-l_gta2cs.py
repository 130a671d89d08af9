# LabOR-SPL, MMSeg's SETR (ViT-L, naive head) as A, with the weights and optimizer
# MMSeg trains it with; GTA5 -> Cityscapes. CPU-sized sibling: spl_setr-vit-tiny_synth.py.
_base_ = ['../../_base_/labor/spl_gta2cs.py']
from labor_mmseg.utils import shipped_model, shipped_optim_wrapper  # noqa: E402

model = dict(segmentor=shipped_model(
    'mmseg::setr/setr_vit-l_naive_8xb1-80k_cityscapes-768x768.py'),
    **_base_.labor)
optim_wrapper = dict(segmentor=dict(_delete_=True, **shipped_optim_wrapper(
    'mmseg::setr/setr_vit-l_naive_8xb1-80k_cityscapes-768x768.py')))
