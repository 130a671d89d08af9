# MMSeg's OCRNet (cascade: FCN stage, then OCR), CPU-sized for the synthetic benchmark: dilated
# ResNet-18 with 1/4 of the channels, plain BN, trained from scratch.
_base_ = ['mmseg::_base_/models/ocrnet_r50-d8.py']
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(depth=18, stem_channels=16, base_channels=16, norm_cfg=norm_cfg),
    decode_head=[
        dict(_base_.model.decode_head[0], in_channels=64, channels=16, norm_cfg=norm_cfg),
        dict(_base_.model.decode_head[1], in_channels=128, channels=32, ocr_channels=16,
             norm_cfg=norm_cfg)])
