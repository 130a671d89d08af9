# AdaptSegNet on the synthetic benchmark: source labels and an output-space discriminator, no
# target labels; the tiny DeepLab-v2 as A.
_base_ = ['../_base_/models/deeplabv2_r18-tiny.py', '../_base_/labor/adaptseg_synth.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
