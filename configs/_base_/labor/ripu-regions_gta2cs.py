# RIPU regions' layer, GTA5 -> Cityscapes: LabOR-SPL's layer (recipe, budget and rounds) with
# whole 3x3 windows of highest region impurity x uncertainty of B's mean prediction (Xie et al.,
# CVPR 2022) instead of B's inconsistent pixels.
_base_ = ['./spl_gta2cs.py']
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=1000),
    dict(type='ActiveSelectionHook', strategy='ripu_regions', budget=0.022,
         rounds=[10000, 12000, 14000, 16000, 18000]),
]
