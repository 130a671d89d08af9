# LabOR-SPL, MMSeg's FPN on mmpretrain's PoolFormer-S12 (shipped for ADE20K, 19 classes here) as
# A, with the weights and optimizer MMSeg trains it with; GTA5 -> Cityscapes. Needs mmpretrain
# (and torchvision). CPU-sized sibling: spl_fpn-poolformer-tiny_synth.py.
_base_ = ['../../_base_/labor/spl_gta2cs.py']
from labor_mmseg.utils import shipped_model, shipped_optim_wrapper  # noqa: E402

model = dict(segmentor=shipped_model(
    'mmseg::poolformer/fpn_poolformer_s12_8xb4-40k_ade20k-512x512.py', num_classes=19),
    **_base_.labor)
optim_wrapper = dict(segmentor=dict(_delete_=True, **shipped_optim_wrapper(
    'mmseg::poolformer/fpn_poolformer_s12_8xb4-40k_ade20k-512x512.py')))
