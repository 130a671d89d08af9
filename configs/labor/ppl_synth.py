# LabOR-PPL on the synthetic benchmark, the tiny DeepLab-v2 as A: 40 representative points per
# target image over 5 rounds (_base_/labor/ppl_synth.py).
_base_ = ['../_base_/models/deeplabv2_r18-tiny.py', '../_base_/labor/ppl_synth.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
