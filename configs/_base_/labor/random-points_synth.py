# Random points' layer on the synthetic benchmark: LabOR-PPL's layer (recipe, budget and rounds)
# with 40 points per target image drawn uniformly instead of B's class prototypes.
_base_ = ['./ppl_synth.py']
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=100),
    dict(type='ActiveSelectionHook', strategy='random', budget=40,
         rounds=[500, 600, 700, 800, 900]),
]
