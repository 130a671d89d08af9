# Entropy pixels' layer on the synthetic benchmark: LabOR-SPL's layer (recipe, budget and rounds)
# with the pixels where B's mean prediction has the highest entropy instead of its inconsistent
# ones.
_base_ = ['./spl_synth.py']
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=100),
    dict(type='ActiveSelectionHook', strategy='entropy', budget=0.022,
         rounds=[500, 600, 700, 800, 900]),
]
