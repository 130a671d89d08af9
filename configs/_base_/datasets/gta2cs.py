# GTA5 (source, labeled) -> Cityscapes (target). Lay the data out as the README says and run
# tools/convert_datasets/gta.py and MMSeg's tools/dataset_converters/cityscapes.py first.
# The dataset dicts (source_train, target_train, target_val) are named so that experiment
# configs compose them with `{{_base_.x}}`; the train loader here is the source-only one.
_base_ = ['./gta.py', './cityscapes.py']
train_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset={{_base_.source_train}})
