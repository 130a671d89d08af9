# LabOR-SPL, GTA5 -> Cityscapes, DeepLabV3+ R101 as A: the R50 config with the deeper backbone
# (a backbone swap by inheritance; B follows it).
_base_ = ['./spl_deeplabv3plus-r50_gta2cs.py']
model = dict(segmentor=dict(pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101)))
