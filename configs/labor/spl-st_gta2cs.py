# LabOR-SPL with self-training (a mean teacher and ClassMix,
# _base_/labor/self-training_gta2cs.py), GTA5 -> Cityscapes; the model, budget and rounds of
# spl_gta2cs.py.
_base_ = ['./spl_gta2cs.py', '../_base_/labor/self-training_gta2cs.py']
model = _base_.with_self_training
