# LabOR-SPL on the synthetic benchmark (what `make demo` runs): 2.2% of each target image's
# pixels over 5 rounds (a class's interior candidates first: SPLSelectionHook's default
# boundary_radius=1; 0 ranks them by discrepancy alone).
_base_ = [
    '../_base_/models/labor_deeplabv2_r18-tiny.py', '../_base_/datasets/synthetic.py',
    '../_base_/synthetic_runtime.py', '../_base_/schedules/labor_synthetic.py'
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
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=100),
    dict(type='SPLSelectionHook', budget=0.022, rounds=[500, 600, 700, 800, 900]),
]
