# LabOR-PPL's layer on the synthetic benchmark, around any MMSeg segmentor A: SPL's layer (AdaptSeg,
# B) with the PPL hook: 40 representative points per target image (class prototypes of the
# inconsistent pixels and their nearest pixels) over 5 rounds, interior candidates first
# (PPLSelectionHook's default boundary_radius=1; 0 is the paper's rule).
_base_ = ['./spl_synth.py']
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=100),
    dict(type='PPLSelectionHook', budget=40, rounds=[500, 600, 700, 800, 900]),
]
