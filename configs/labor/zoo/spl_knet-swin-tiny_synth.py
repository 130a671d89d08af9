# LabOR-SPL, MMSeg's K-Net (Swin-T's recipe, UPerNet kernels updated over 3 stages) as A,
# CPU-sized (Swin of width 16, one block per stage, kernels of width 32, plain BN in the heads,
# from scratch; 19 classes instead of ADE20K's 150), on the synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', requires_grad=True)
shipped = 'mmseg::knet/knet-s3_swin-t_upernet_8xb2-adamw-80k_ade20k-512x512.py'
stage = shipped_model(shipped, weights=False, num_classes=19).decode_head.kernel_update_head[0]
model = dict(segmentor=shipped_model(
    shipped, weights=False, num_classes=19,
    backbone=dict(embed_dims=16, depths=[1, 1, 1, 1], num_heads=[1, 2, 4, 8]),
    decode_head=dict(
        kernel_generate_head=dict(in_channels=[16, 32, 64, 128], channels=32, norm_cfg=bn),
        kernel_update_head=[dict(stage, in_channels=32, out_channels=32, num_heads=2,
                                 feedforward_channels=64, kernel_updator_cfg=dict(
            stage.kernel_updator_cfg, in_channels=16, feat_channels=16, out_channels=16))] * 3),
    auxiliary_head=dict(in_channels=64, channels=16, norm_cfg=bn)), **_base_.labor)
del shipped, stage
