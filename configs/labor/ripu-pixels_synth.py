# RIPU pixels on the synthetic benchmark, the tiny DeepLab-v2 as A:
# LabOR-PPL's recipe, budget and rounds with RIPU's 40 points per
# target image of highest impurity x uncertainty (_base_/labor/ripu-pixels_synth.py).
_base_ = ['../_base_/models/deeplabv2_r18-tiny.py', '../_base_/labor/ripu-pixels_synth.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
