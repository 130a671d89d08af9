# Source only: DeepLab-v2 R101 trained on GTA5, evaluated on Cityscapes val (the lower bound).
_base_ = [
    '../_base_/models/deeplabv2_r101.py', '../_base_/datasets/gta2cs.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_40k.py'
]
