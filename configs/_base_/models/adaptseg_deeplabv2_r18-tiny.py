# AdaptSegNet around the CPU-sized DeepLab-v2 of the synthetic benchmark (see
# adaptseg_deeplabv2_r101.py). The discriminator is scaled down with the segmentor (AdaptSegNet's
# widths 64-512 would cost far more than the tiny segmentor itself).
_base_ = ['./deeplabv2_r18-tiny.py']
# The runner hands the top-level data_preprocessor to the model: make it handle pairs.
data_preprocessor = dict(type='PairedSegDataPreProcessor')
model = dict(
    _delete_=True,
    type='LabOR',
    segmentor={{_base_.model}},
    discriminator=dict(type='OutputAlignmentHead', num_classes=19, channels=(16, 32, 64, 128)),
    adv_weight=0.001,
    # A keeps batch-norm running statistics of target batches only (no effect on frozen BN).
    target_norm_stats=True)
# Distributed runs wrap each child (A, D, and B where present) in its own DDP, as alternating
# updates need.
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', find_unused_parameters=False)
