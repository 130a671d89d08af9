# AdaptSegNet on the synthetic benchmark: source labels and an output-space discriminator, no
# target labels. The base of LabOR's synthetic configs, which add B and a selection hook.
_base_ = [
    '../_base_/models/adaptseg_deeplabv2_r18-tiny.py', '../_base_/datasets/synthetic.py',
    '../_base_/synthetic_runtime.py', '../_base_/schedules/labor_synthetic.py'
]
# Target images with the labels a selection hook has bought (none here).
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PairedDataset',
        source={{_base_.source_train}},
        target=dict(type='SparseLabelDataset', dataset={{_base_.target_train}})))
