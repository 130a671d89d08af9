# LabOR-SPL with self-training (a mean teacher, ClassMix and rare class sampling,
# _base_/labor/self-training_gta2cs.py), GTA5 -> Cityscapes; the model, budget and rounds of
# spl_gta2cs.py.
_base_ = ['./spl_gta2cs.py', '../_base_/labor/self-training_gta2cs.py']
model = _base_.with_self_training
train_dataloader = _base_.with_rare_class_sampling
