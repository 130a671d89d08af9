# Source only on the synthetic benchmark: tiny DeepLab-v2 trained on the GTA5-like domain,
# evaluated on the Cityscapes-like target val.
_base_ = [
    '../_base_/models/deeplabv2_r18-tiny.py', '../_base_/datasets/synthetic.py',
    '../_base_/synthetic_runtime.py', '../_base_/schedules/schedule_synthetic.py'
]
