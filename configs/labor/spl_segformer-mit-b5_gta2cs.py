# LabOR-SPL, GTA5 -> Cityscapes, SegFormer MiT-B5 as A: the B0 config with MMSeg's B5 backbone
# and head widths (segformer_mit-b5_8xb2-160k_ade20k-512x512.py).
_base_ = ['./spl_segformer-mit-b0_gta2cs.py']
checkpoint = 'https://download.openmmlab.com/mmsegmentation/v0.5/pretrain/segformer/mit_b5_20220624-658746d9.pth'  # noqa
model = dict(segmentor=dict(
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=checkpoint), embed_dims=64,
                  num_heads=[1, 2, 5, 8], num_layers=[3, 6, 40, 3]),
    decode_head=dict(in_channels=[64, 128, 320, 512])))
