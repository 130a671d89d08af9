# A CPU-sized DeepLab-v2 for the synthetic benchmark: dilated ResNet-18 with 1/4 of the channels
# (output stride 8), trained from scratch; dilations scaled to 128x256 images.
_base_ = ['./deeplabv2_r101.py']
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(
        depth=18, stem_channels=16, base_channels=16, norm_cfg=norm_cfg, norm_eval=False),
    decode_head=dict(in_channels=128, dilations=(1, 2, 3, 4)))
