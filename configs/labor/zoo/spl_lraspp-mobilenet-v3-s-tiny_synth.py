# LabOR-SPL, MMSeg's LR-ASPP on MobileNetV3-small (D8) as A, CPU-sized (the backbone's last
# three blocks at 1/4 of their channels, its reduction_factor; a head of width 32; from scratch),
# on the synthetic benchmark resized to 400x800: the head pools the 1/8 features with a fixed
# 49-pixel kernel, so each side needs >= 392 pixels, in training, in the selection round's
# scoring and in testing (test labels and bought labels stay at the benchmark's size).
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

bn = dict(type='BN', eps=0.001, requires_grad=True)
model = dict(segmentor=shipped_model(
    'mmseg::mobilenet_v3/mobilenet-v3-d8-s_lraspp_4xb4-320k_cityscapes-512x1024.py',
    weights=False, backbone=dict(reduction_factor=4, norm_cfg=bn),
    decode_head=dict(channels=32, norm_cfg=bn)), **_base_.labor)
resize = dict(type='Resize', scale=(800, 400), keep_ratio=False)
train_pipeline = [*_base_.source_pipeline[:2], resize, *_base_.source_pipeline[2:]]
test_pipeline = [_base_.test_pipeline[0], resize, *_base_.test_pipeline[1:]]
train_dataloader = dict(dataset=dict(source=dict(pipeline=train_pipeline),
                                     target=dict(dataset=dict(pipeline=train_pipeline))))
val_dataloader = test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
custom_hooks = [_base_.custom_hooks[0], dict(_base_.custom_hooks[1], pipeline=[
    test_pipeline[0], resize, test_pipeline[-1]])]  # the round scores resized images too
