# LabOR-PPL's layer, GTA5 -> Cityscapes, around any MMSeg segmentor A: SPL's layer (AdaptSeg, B)
# with the PPL hook: 40 representative points per target image (class prototypes of the
# inconsistent pixels and their nearest pixels) over 5 rounds, a class's candidates inside its
# regions first (PPLSelectionHook's default boundary_radius=1; 0 is the paper's rule).
_base_ = ['./spl_gta2cs.py']
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=1000),
    dict(type='PPLSelectionHook', budget=40, rounds=[10000, 12000, 14000, 16000, 18000]),
]
