# LabOR / AdaptSeg schedule: one optimizer per child of the LabOR model.
# A: SGD 2.5e-4 (classifier x10), D: Adam 1e-4 betas (0.9, 0.99) (AdaptSegNet);
# B's classifiers: SGD 2.5e-3 (our choice: they are trained from scratch, like A's classifier);
# B's own backbone, when configured: as A's backbone. Poly 0.9 on every optimizer.
_base_ = ['./schedule_40k.py']
sgd = dict(type='SGD', lr=2.5e-4, momentum=0.9, weight_decay=5e-4)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',  # every child's; MMSeg's tools/train.py --amp makes it AmpOptimWrapper
    constructor='MultiOptimWrapperConstructor',
    segmentor=dict(
        optimizer=sgd,
        paramwise_cfg=dict(custom_keys=dict(decode_head=dict(lr_mult=10.0)))),
    discriminator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.99))),
    selector=dict(optimizer=dict(sgd, lr=2.5e-3)),
    selector_backbone=dict(optimizer=sgd))
