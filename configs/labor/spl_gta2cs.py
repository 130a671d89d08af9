# LabOR-SPL, GTA5 -> Cityscapes, DeepLab-v2 R101 as A (LabOR's paper setting): 2.2% of each
# target image's pixels, chosen by B's inconsistency (_base_/labor/spl_gta2cs.py).
_base_ = ['../_base_/models/deeplabv2_r101.py', '../_base_/labor/spl_gta2cs.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
