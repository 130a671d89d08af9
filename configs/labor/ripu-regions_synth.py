# RIPU regions on the synthetic benchmark, the tiny DeepLab-v2 as A:
# LabOR-SPL's recipe, budget and rounds with RIPU's 3x3 windows of
# highest region impurity x uncertainty (_base_/labor/ripu-regions_synth.py).
_base_ = ['../_base_/models/deeplabv2_r18-tiny.py', '../_base_/labor/ripu-regions_synth.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
