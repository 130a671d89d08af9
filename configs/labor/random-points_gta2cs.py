# Random points, GTA5 -> Cityscapes, DeepLab-v2 R101 as A:
# LabOR-PPL's recipe, budget and rounds with 40 points per target
# image drawn uniformly (_base_/labor/random-points_gta2cs.py).
_base_ = ['../_base_/models/deeplabv2_r101.py', '../_base_/labor/random-points_gta2cs.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
