# LabOR around DeepLab-v2 R101: A = the segmentor below, B = two DeepLab-v2 classifiers on A's
# backbone features (detached; `selector_backbone=None`), D = AdaptSegNet's discriminator.
_base_ = ['./deeplabv2_r101.py']
# The runner hands the top-level data_preprocessor to the model: make it handle pairs.
data_preprocessor = dict(type='PairedSegDataPreProcessor')
model = dict(
    _delete_=True,
    type='LabOR',
    segmentor={{_base_.model}},
    discriminator=dict(type='OutputAlignmentHead', num_classes=19),
    selector=dict(
        type='DualHeadSelector',
        head=dict(
            type='DeepLabV2Head',
            in_channels=2048,
            in_index=3,
            dilations=(6, 12, 18, 24),
            num_classes=19,
            align_corners=False)),
    selector_backbone=None,
    adv_weight=0.001,
    pseudo_label_threshold=0.9,
    # A keeps batch-norm running statistics of target batches only (no effect on frozen BN).
    target_norm_stats=True)
# Distributed runs wrap each child (A, B, D) in its own DDP, as alternating updates need.
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', find_unused_parameters=False)
