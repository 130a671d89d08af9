# Random points' layer, GTA5 -> Cityscapes: LabOR-PPL's layer (recipe, budget and rounds) with 40
# points per target image drawn uniformly instead of B's class prototypes.
_base_ = ['./ppl_gta2cs.py']
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=1000),
    dict(type='ActiveSelectionHook', strategy='random', budget=40,
         rounds=[10000, 12000, 14000, 16000, 18000]),
]
