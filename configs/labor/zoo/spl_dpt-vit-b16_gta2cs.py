# LabOR-SPL, MMSeg's DPT (ViT-B/16; shipped for ADE20K, 19 classes here) as A,
# with the weights and optimizer MMSeg trains it with; GTA5 -> Cityscapes.
# Its ViT weights are the local file the shipped config names
# (pretrain/vit-b16_p16_224-80ecf9dd.pth), made from timm's ViT-B/16 with MMSeg's
# tools/model_converters/vit2mmseg.py.
# CPU-sized sibling: spl_dpt-vit-tiny_synth.py.
_base_ = ['../../_base_/labor/spl_gta2cs.py']
from labor_mmseg.utils import shipped_model, shipped_optim_wrapper  # noqa: E402

model = dict(segmentor=shipped_model(
    'mmseg::dpt/dpt_vit-b16_8xb2-160k_ade20k-512x512.py',
    num_classes=19),
    **_base_.labor)
optim_wrapper = dict(segmentor=dict(_delete_=True, **shipped_optim_wrapper(
    'mmseg::dpt/dpt_vit-b16_8xb2-160k_ade20k-512x512.py')))
