# LabOR-SPL, MMSeg's MaskFormer (Swin-T's recipe, queries of class scores and masks) as A,
# CPU-sized (Swin of width 16, one block per stage; pixel decoder and transformer decoder (its
# six layers) of width 32, 10 queries; from scratch; 19 classes instead of ADE20K's 150), on
# the synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

attn, ffn = dict(embed_dims=32, num_heads=2), dict(embed_dims=32, feedforward_channels=64)
model = dict(segmentor=shipped_model(
    'mmseg::maskformer/maskformer_swin-t_upernet_8xb2-160k_ade20k-512x512.py', weights=False,
    num_classes=19, backbone=dict(embed_dims=16, depths=[1, 1, 1, 1], num_heads=[1, 2, 4, 8]),
    decode_head=dict(
        in_channels=[16, 32, 64, 128], feat_channels=32, out_channels=32, num_queries=10,
        pixel_decoder=dict(norm_cfg=dict(num_groups=8)), positional_encoding=dict(num_feats=16),
        transformer_decoder=dict(layer_cfg=dict(
            self_attn_cfg=attn, cross_attn_cfg=attn, ffn_cfg=ffn)))), **_base_.labor)
del attn, ffn
