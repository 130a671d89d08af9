# LabOR-SPL, MMSeg's MaskFormer (Swin-T; shipped for ADE20K, 19 classes here) as A,
# with the weights and optimizer MMSeg trains it with; GTA5 -> Cityscapes.
# CPU-sized sibling: spl_maskformer-swin-tiny_synth.py.
_base_ = ['../../_base_/labor/spl_gta2cs.py']
from labor_mmseg.utils import shipped_model, shipped_optim_wrapper  # noqa: E402

model = dict(segmentor=shipped_model(
    'mmseg::maskformer/maskformer_swin-t_upernet_8xb2-160k_ade20k-512x512.py',
    num_classes=19),
    **_base_.labor)
optim_wrapper = dict(segmentor=dict(_delete_=True, **shipped_optim_wrapper(
    'mmseg::maskformer/maskformer_swin-t_upernet_8xb2-160k_ade20k-512x512.py')))
