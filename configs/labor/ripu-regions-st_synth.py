# RIPU regions with self-training (_base_/labor/self_training.py: mean teacher, ClassMix) on
# the synthetic benchmark, tiny DeepLab-v2 as A; the budget and rounds of ripu-regions_synth.py.
_base_ = ['./ripu-regions_synth.py', '../_base_/labor/self_training.py']
model = _base_.with_self_training
