# LabOR-SPL, MMSeg's Mask2Former (Swin-T's recipe, queries of class scores and masks) as A,
# CPU-sized (Swin of width 16, one block per stage; pixel decoder and transformer decoder of
# width 32 with one and three layers, 10 queries, 1/12 of the points; from scratch), on the
# synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

attn, ffn = dict(embed_dims=32, num_heads=2), dict(embed_dims=32, feedforward_channels=64)
pos = dict(num_feats=16)
model = dict(segmentor=shipped_model(
    'mmseg::mask2former/mask2former_swin-t_8xb2-90k_cityscapes-512x1024.py', weights=False,
    backbone=dict(embed_dims=16, depths=[1, 1, 1, 1], num_heads=[1, 2, 4, 8]),
    decode_head=dict(
        in_channels=[16, 32, 64, 128], feat_channels=32, out_channels=32, num_queries=10,
        pixel_decoder=dict(norm_cfg=dict(num_groups=8), positional_encoding=pos, encoder=dict(
            num_layers=1, layer_cfg=dict(self_attn_cfg=attn, ffn_cfg=ffn))),
        positional_encoding=pos, train_cfg=dict(num_points=1024), transformer_decoder=dict(
            num_layers=3, layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn, ffn_cfg=ffn)))),
    **_base_.labor)
del attn, ffn, pos
