# LabOR-SPL with self-training (_base_/labor/self_training.py: a mean teacher and ClassMix) on the
# synthetic benchmark, the tiny DeepLab-v2 as A; the budget and rounds of spl_synth.py.
_base_ = ['./spl_synth.py', '../_base_/labor/self_training.py']
model = _base_.with_self_training
