# LabOR-SPL's layer, GTA5 -> Cityscapes, around any MMSeg segmentor A: AdaptSeg's layer plus B
# (two DeepLab-v2 classifiers on A's detached backbone features, at the level of A's decode head,
# their channels inferred) and the SPL hook: the inconsistent pixels (segments), 2.2% of each
# target image's pixels over 5 rounds at 10k-18k iterations (RIPU's schedule; the paper gives
# none), a class's candidates inside its regions first (SPLSelectionHook's boundary_radius=1).
_base_ = ['./adaptseg_gta2cs.py']
labor = dict(
    selector=dict(
        type='DualHeadSelector',
        head=dict(
            type='DeepLabV2Head', dilations=(6, 12, 18, 24), num_classes=19,
            align_corners=False)),
    pseudo_label_threshold=0.9,
    # B also learns each predicted class's most confident 20% per image (docs/design.md).
    pseudo_label_class_fraction=0.2)
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=1000),
    dict(type='SPLSelectionHook', budget=0.022, rounds=[10000, 12000, 14000, 16000, 18000]),
]
