# Random points with self-training (a mean teacher, ClassMix and rare class sampling,
# _base_/labor/self-training_synth.py) on the synthetic benchmark, the tiny DeepLab-v2 as A;
# the budget and rounds of random-points_synth.py.
_base_ = ['./random-points_synth.py', '../_base_/labor/self-training_synth.py']
model = _base_.with_self_training
train_dataloader = _base_.with_rare_class_sampling
