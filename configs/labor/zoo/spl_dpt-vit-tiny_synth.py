# LabOR-SPL, MMSeg's DPT (ViT with its class token, reassembled at four levels) as A,
# CPU-sized (4 layers of width 64 instead of ViT-B's 12 of 768, plain BN, from scratch; 19
# classes instead of ADE20K's 150), on the synthetic benchmark. The ViT's img_size is the
# data's 128x256 (its position embedding's grid; other sizes are interpolated).
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True)
model = dict(segmentor=shipped_model(
    'mmseg::dpt/dpt_vit-b16_8xb2-160k_ade20k-512x512.py', weights=False, num_classes=19,
    backbone=dict(img_size=(128, 256), embed_dims=64, num_layers=4, num_heads=2,
                  out_indices=(0, 1, 2, 3)),
    decode_head=dict(in_channels=(64, ) * 4, channels=16, embed_dims=64,
                     post_process_channels=[8, 16, 32, 64], norm_cfg=bn)), **_base_.labor)
