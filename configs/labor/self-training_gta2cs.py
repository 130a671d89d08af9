# Self-training without target labels (DACS-style UDA), GTA5 -> Cityscapes: AdaptSeg's recipe
# with a mean teacher, ClassMix and rare class sampling.
_base_ = ['./adaptseg_gta2cs.py', '../_base_/labor/self-training_gta2cs.py']
model = _base_.with_self_training
train_dataloader = _base_.with_rare_class_sampling
