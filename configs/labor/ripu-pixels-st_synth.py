# RIPU pixels with self-training (_base_/labor/self_training.py: a mean teacher and ClassMix) on the
# synthetic benchmark, the tiny DeepLab-v2 as A; the budget and rounds of ripu-pixels_synth.py.
_base_ = ['./ripu-pixels_synth.py', '../_base_/labor/self_training.py']
model = _base_.with_self_training
