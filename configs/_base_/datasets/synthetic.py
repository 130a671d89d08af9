# The embedded synthetic benchmark (tools/generate_synthetic.py): a GTA5-like source and a
# Cityscapes-like target at 128x256, in the real datasets' layouts, so the same dataset classes
# load it. Small loaders for 2 CPU cores.
source_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
target_pipeline = source_pipeline
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
source_train = dict(
    type='GTADataset', data_root='data/synthetic/gta/', pipeline=source_pipeline)
target_train = dict(
    type='CityscapesDataset',
    data_root='data/synthetic/cityscapes/',
    data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
    pipeline=target_pipeline)
target_val = dict(
    type='CityscapesDataset',
    data_root='data/synthetic/cityscapes/',
    data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
    pipeline=test_pipeline)

train_dataloader = dict(
    batch_size=2,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=source_train)
val_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=target_val)
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
