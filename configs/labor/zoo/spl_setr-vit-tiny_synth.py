# LabOR-SPL, MMSeg's SETR-Naive (ViT, its three auxiliary heads) as A, CPU-sized (a ViT of 4
# layers of width 64 instead of ViT-L's 24 of 1024, plain BN, from scratch), on the synthetic
# benchmark. The ViT's img_size is the data's 128x256 (its position embedding's grid; other
# sizes are interpolated); the shipped 768x768 sliding window test becomes a whole-image one.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True)
up = dict(type='SETRUPHead', in_channels=64, channels=32, num_classes=19, dropout_ratio=0,
          norm_cfg=bn, num_convs=1, up_scale=4, kernel_size=1, align_corners=False)
model = dict(segmentor=shipped_model(
    'mmseg::setr/setr_vit-l_naive_8xb1-80k_cityscapes-768x768.py',
    backbone=dict(img_size=(128, 256), embed_dims=64, num_layers=4, num_heads=2,
                  out_indices=(0, 1, 2, 3), init_cfg=None),
    decode_head=up, auxiliary_head=[dict(up, in_index=i, loss_decode=dict(
        type='CrossEntropyLoss', loss_weight=0.4)) for i in range(3)],
    test_cfg=dict(_delete_=True, mode='whole')), **_base_.labor)
