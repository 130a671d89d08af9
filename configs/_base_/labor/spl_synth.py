# LabOR-SPL's layer on the synthetic benchmark, around any MMSeg segmentor A (see
# spl_gta2cs.py): B's dilations scaled to 128x256 images, 2.2% of each target image's pixels
# over 5 rounds.
_base_ = ['./adaptseg_synth.py']
labor = dict(
    selector=dict(
        type='DualHeadSelector',
        head=dict(
            type='DeepLabV2Head', dilations=(1, 2, 3, 4), num_classes=19,
            align_corners=False)),
    pseudo_label_threshold=0.9,
    # B also learns each predicted class's most confident 20% per image (docs/design.md).
    pseudo_label_class_fraction=0.2)
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=100),
    dict(type='SPLSelectionHook', budget=0.022, rounds=[500, 600, 700, 800, 900]),
]
