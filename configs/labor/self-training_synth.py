# Self-training without target labels (DACS-style UDA) on the synthetic benchmark: AdaptSeg's
# recipe with a mean teacher, ClassMix and rare class sampling; the tiny DeepLab-v2 as A.
_base_ = ['./adaptseg_synth.py', '../_base_/labor/self-training_synth.py']
model = _base_.with_self_training
train_dataloader = _base_.with_rare_class_sampling
