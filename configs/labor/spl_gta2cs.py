# LabOR-SPL, GTA5 -> Cityscapes, DeepLab-v2 R101: label the inconsistent pixels (segments),
# 2.2% of each target image's pixels over 5 rounds at 10k-18k iterations (RIPU's schedule; the
# paper gives none). Where they exceed a round's share, the hook takes a class's candidates
# inside its regions before those on its boundaries (its default boundary_radius=1).
_base_ = [
    '../_base_/models/labor_deeplabv2_r101.py', '../_base_/datasets/gta2cs.py',
    '../_base_/default_runtime.py', '../_base_/schedules/labor_40k.py'
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PairedDataset',
        source={{_base_.source_train}},
        target=dict(type='SparseLabelDataset', dataset={{_base_.target_train}})))
# B's pseudo-labels also keep each predicted class's most confident 20% per image (after
# IAST): with A's 0.9-confident pixels only, B never learned classes A is rarely sure of, so
# its two heads agreed, wrongly, on them and the inconsistency mask never reached them.
model = dict(pseudo_label_class_fraction=0.2)
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=1000),
    dict(type='SPLSelectionHook', budget=0.022, rounds=[10000, 12000, 14000, 16000, 18000]),
]
