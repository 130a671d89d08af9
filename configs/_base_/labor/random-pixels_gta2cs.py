# Random pixels' layer, GTA5 -> Cityscapes: LabOR-SPL's layer (recipe, budget and rounds) with
# pixels drawn uniformly from each target image instead of B's inconsistent ones.
_base_ = ['./spl_gta2cs.py']
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=1000),
    dict(type='ActiveSelectionHook', strategy='random', budget=0.022,
         rounds=[10000, 12000, 14000, 16000, 18000]),
]
