# Random points on the synthetic benchmark, the tiny DeepLab-v2 as A:
# LabOR-PPL's recipe, budget and rounds with 40 points per target
# image drawn uniformly (_base_/labor/random-points_synth.py).
_base_ = ['../_base_/models/deeplabv2_r18-tiny.py', '../_base_/labor/random-points_synth.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
