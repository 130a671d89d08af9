# AdaptSegNet (single-level output-space adversarial UDA), GTA5 -> Cityscapes, DeepLab-v2 R101:
# source labels and D, no target labels.
_base_ = ['../_base_/models/deeplabv2_r101.py', '../_base_/labor/adaptseg_gta2cs.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
