# LabOR's AdaptSeg layer on the synthetic benchmark, around any MMSeg segmentor A (see
# adaptseg_gta2cs.py). D is scaled down with the tiny models (AdaptSegNet's widths 64-512 would
# cost far more than a tiny segmentor itself).
_base_ = [
    '../datasets/synthetic.py', '../synthetic_runtime.py', '../schedules/labor_synthetic.py'
]
labor = dict(
    type='LabOR',
    discriminator=dict(type='OutputAlignmentHead', num_classes=19, channels=(16, 32, 64, 128)),
    adv_weight=0.001,
    # A keeps batch-norm running statistics of target batches only (no effect on frozen BN).
    target_norm_stats=True,
    # A's data preprocessor, for source/target pairs; MMSeg's model bases give no size.
    data_preprocessor=dict(size_divisor=8))
# Target images with the labels a selection hook has bought (none here).
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PairedDataset',
        source={{_base_.source_train}},
        target=dict(type='SparseLabelDataset', dataset={{_base_.target_train}})))
# Distributed runs wrap each child (A, D, and B where present) in its own DDP.
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', find_unused_parameters=False)
