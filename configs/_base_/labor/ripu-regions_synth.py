# RIPU regions' layer on the synthetic benchmark: LabOR-SPL's layer (recipe, budget and rounds)
# with whole 3x3 windows of highest region impurity x uncertainty of B's mean prediction (Xie et
# al., CVPR 2022) instead of B's inconsistent pixels.
_base_ = ['./spl_synth.py']
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=100),
    dict(type='ActiveSelectionHook', strategy='ripu_regions', budget=0.022,
         rounds=[500, 600, 700, 800, 900]),
]
