# Random pixels with self-training (_base_/labor/self_training.py: mean teacher, ClassMix) on
# the synthetic benchmark, tiny DeepLab-v2 as A; the budget and rounds of random-pixels_synth.py.
_base_ = ['./random-pixels_synth.py', '../_base_/labor/self_training.py']
model = _base_.with_self_training
