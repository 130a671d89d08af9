# Random pixels on the synthetic benchmark, the tiny DeepLab-v2 as A:
# LabOR-SPL's recipe, budget and rounds with pixels drawn uniformly
# from each target image (_base_/labor/random-pixels_synth.py).
_base_ = ['../_base_/models/deeplabv2_r18-tiny.py', '../_base_/labor/random-pixels_synth.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
