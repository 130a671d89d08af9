# LabOR-SPL on the synthetic benchmark, MMSeg's DeepLabV3+ (with its auxiliary head) as A, CPU-sized
# (the tests train it a few iterations); full size on GTA5 -> Cityscapes:
# spl_deeplabv3plus-r50_gta2cs.py.
_base_ = ['../_base_/models/deeplabv3plus_r18-tiny.py', '../_base_/labor/spl_synth.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
