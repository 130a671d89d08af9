# Entropy pixels' layer, GTA5 -> Cityscapes: LabOR-SPL's layer (recipe, budget and rounds) with
# the pixels where B's mean prediction has the highest entropy instead of its inconsistent ones.
_base_ = ['./spl_gta2cs.py']
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=1000),
    dict(type='ActiveSelectionHook', strategy='entropy', budget=0.022,
         rounds=[10000, 12000, 14000, 16000, 18000]),
]
