# MMSeg's SegFormer, CPU-sized for the synthetic benchmark: a MiT of half B0's width and one
# block per stage, plain BN in the head, trained from scratch.
_base_ = ['mmseg::_base_/models/segformer_mit-b0.py']
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(embed_dims=16, num_layers=[1, 1, 1, 1]),
    decode_head=dict(in_channels=[16, 32, 80, 128], channels=64, norm_cfg=norm_cfg))
