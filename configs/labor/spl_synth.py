# LabOR-SPL on the synthetic benchmark (what `make demo` runs), the tiny DeepLab-v2 as A: 2.2% of
# each target image's pixels over 5 rounds (_base_/labor/spl_synth.py).
_base_ = ['../_base_/models/deeplabv2_r18-tiny.py', '../_base_/labor/spl_synth.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
