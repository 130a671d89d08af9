# GTA5, the labeled source (Cityscapes train ids after tools/convert_datasets/gta.py), resized
# to 1280x720 as in RIPU.
source_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='Resize', scale=(1280, 720), keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
source_train = dict(type='GTADataset', data_root='data/gta/', pipeline=source_pipeline)
