# Random pixels, GTA5 -> Cityscapes, DeepLab-v2 R101 as A:
# LabOR-SPL's recipe, budget and rounds with pixels drawn uniformly
# from each target image (_base_/labor/random-pixels_gta2cs.py).
_base_ = ['../_base_/models/deeplabv2_r101.py', '../_base_/labor/random-pixels_gta2cs.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
