# LabOR / AdaptSeg schedule on the synthetic benchmark (see labor_40k.py), with the higher
# learning rates of the from-scratch tiny model.
_base_ = ['./schedule_synthetic.py']
sgd = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',  # every child's; MMSeg's tools/train.py --amp makes it AmpOptimWrapper
    constructor='MultiOptimWrapperConstructor',
    segmentor=dict(optimizer=sgd),
    discriminator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.99))),
    selector=dict(optimizer=sgd),
    selector_backbone=dict(optimizer=sgd))
