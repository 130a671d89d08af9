# AdaptSegNet around DeepLab-v2 R101: A = the segmentor below, D = AdaptSegNet's output-space
# discriminator. LabOR's configs add B (`model.selector`) and a selection hook.
_base_ = ['./deeplabv2_r101.py']
# The runner hands the top-level data_preprocessor to the model: make it handle pairs.
data_preprocessor = dict(type='PairedSegDataPreProcessor')
model = dict(
    _delete_=True,
    type='LabOR',
    segmentor={{_base_.model}},
    discriminator=dict(type='OutputAlignmentHead', num_classes=19),
    adv_weight=0.001,
    # A keeps batch-norm running statistics of target batches only (no effect on frozen BN).
    target_norm_stats=True)
# Distributed runs wrap each child (A, D, and B where present) in its own DDP, as alternating
# updates need.
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', find_unused_parameters=False)
