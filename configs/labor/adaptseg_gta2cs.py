# AdaptSegNet (single-level output-space adversarial UDA), GTA5 -> Cityscapes, DeepLab-v2 R101:
# source labels and D, no target labels. The base of LabOR's GTA5 -> Cityscapes configs.
_base_ = [
    '../_base_/models/adaptseg_deeplabv2_r101.py', '../_base_/datasets/gta2cs.py',
    '../_base_/default_runtime.py', '../_base_/schedules/labor_40k.py'
]
# Target images with the labels a selection hook has bought (none here).
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PairedDataset',
        source={{_base_.source_train}},
        target=dict(type='SparseLabelDataset', dataset={{_base_.target_train}})))
