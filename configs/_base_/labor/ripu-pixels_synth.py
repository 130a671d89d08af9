# RIPU pixels' layer on the synthetic benchmark: LabOR-PPL's layer (recipe, budget and rounds)
# with the 40 points per target image of highest impurity x uncertainty of B's mean prediction
# (Xie et al., CVPR 2022) instead of B's class prototypes. RIPU's windows are for 2048x1024
# labels; these images are 8x smaller per side, so are the purity window (9 instead of 65 pixels)
# and the blocking radius (4 instead of 32: at 32, 40 points do not fit in a 128x256 image).
_base_ = ['./ppl_synth.py']
custom_hooks = [
    dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=100),
    dict(type='ActiveSelectionHook', strategy='ripu_pixels', budget=40,
         rounds=[500, 600, 700, 800, 900],
         strategy_cfg=dict(cell_size=3, purity_cells=3, block_radius=4)),
]
