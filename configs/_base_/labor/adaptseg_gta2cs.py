# LabOR's AdaptSeg layer, GTA5 -> Cityscapes, around any MMSeg segmentor A: D (AdaptSegNet's
# output-space discriminator), the paired source/target data, the schedule and the runtime.
# It defines no `model`: a config puts it after a model base (ours, or MMSeg's
# `mmseg::_base_/models/...`) and wraps that base's segmentor:
#     model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
_base_ = ['../datasets/gta2cs.py', '../default_runtime.py', '../schedules/labor_40k.py']
labor = dict(
    type='LabOR',
    discriminator=dict(type='OutputAlignmentHead', num_classes=19),
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
# Distributed runs wrap each child (A, D, and B where present) in its own DDP, as alternating
# updates need.
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', find_unused_parameters=False)
