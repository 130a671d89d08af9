# LabOR-SPL on the synthetic benchmark, MMSeg's OCRNet (a cascade) as A, CPU-sized
# (the tests train it a few iterations); full size, GTA5 -> Cityscapes: spl_ocrnet-r50_gta2cs.py.
_base_ = ['../_base_/models/ocrnet_r18-tiny.py', '../_base_/labor/spl_synth.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
