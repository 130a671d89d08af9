# LabOR-PPL, GTA5 -> Cityscapes, DeepLab-v2 R101: 40 representative points per target image
# (class prototypes of the inconsistent pixels and their nearest pixels) over 5 rounds.
_base_ = ['./spl_gta2cs.py']
# B's pseudo-labels also keep each predicted class's most confident 20% per image (after
# IAST): with A's 0.9-confident pixels only, B never learned classes A is rarely sure of, so
# its two heads agreed, wrongly, on them and PPL's points never reached them.
model = dict(pseudo_label_class_fraction=0.2)
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=1000),
    dict(type='PPLSelectionHook', budget=40, rounds=[10000, 12000, 14000, 16000, 18000]),
]
