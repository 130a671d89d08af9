# LabOR-SPL on the synthetic benchmark, MMSeg's SegFormer as A, CPU-sized
# (the tests train it a few iterations); full size on GTA5 -> Cityscapes:
# spl_segformer-mit-b0_gta2cs.py.
_base_ = ['../_base_/models/segformer_mit-tiny.py', '../_base_/labor/spl_synth.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
