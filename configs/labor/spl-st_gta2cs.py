# LabOR-SPL with self-training (_base_/labor/self_training.py: mean teacher, ClassMix), GTA5 ->
# Cityscapes; the model, budget and rounds of spl_gta2cs.py.
_base_ = ['./spl_gta2cs.py', '../_base_/labor/self_training.py']
model = _base_.with_self_training
