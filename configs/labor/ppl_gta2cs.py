# LabOR-PPL, GTA5 -> Cityscapes, DeepLab-v2 R101 as A (LabOR's paper setting): 40 representative
# points per target image over 5 rounds (_base_/labor/ppl_gta2cs.py).
_base_ = ['../_base_/models/deeplabv2_r101.py', '../_base_/labor/ppl_gta2cs.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
