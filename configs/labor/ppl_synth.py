# LabOR-PPL on the synthetic benchmark: 40 representative points per target image (interior
# candidates first: PPLSelectionHook's default boundary_radius=1; 0 is the paper's rule).
_base_ = ['./spl_synth.py']
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=100),
    dict(type='PPLSelectionHook', budget=40, rounds=[500, 600, 700, 800, 900]),
]
