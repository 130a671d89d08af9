# LabOR-PPL with self-training (_base_/labor/self_training.py: mean teacher, ClassMix), GTA5 ->
# Cityscapes; the model, budget and rounds of ppl_gta2cs.py.
_base_ = ['./ppl_gta2cs.py', '../_base_/labor/self_training.py']
model = _base_.with_self_training
