# LabOR-SPL, MMSeg's Segmenter (ViT-T, mask transformer head) as A, CPU-sized (2 layers of
# width 64, from scratch; 19 classes instead of ADE20K's 150), on the synthetic benchmark.
# The ViT's img_size is the data's 128x256 (its position embedding's grid; other sizes are
# interpolated); the shipped 512x512 sliding window test becomes a whole-image one.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

model = dict(segmentor=shipped_model(
    'mmseg::segmenter/segmenter_vit-t_mask_8xb1-160k_ade20k-512x512.py', pretrained=None,
    backbone=dict(img_size=(128, 256), embed_dims=64, num_layers=2, num_heads=2),
    decode_head=dict(in_channels=64, channels=64, embed_dims=64, num_layers=1, num_heads=2,
                     num_classes=19),
    test_cfg=dict(_delete_=True, mode='whole')), **_base_.labor)
