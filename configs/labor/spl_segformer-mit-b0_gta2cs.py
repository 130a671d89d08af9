# LabOR-SPL, GTA5 -> Cityscapes, with MMSeg's SegFormer MiT-B0 as A (ImageNet-pretrained MiT)
# and its optimizer (AdamW 6e-5, no decay on norms and position blocks, head x10), as in MMSeg's
# segformer_mit-b0_8xb2-160k_ade20k-512x512.py; the schedule stays LabOR's (poly 0.9 over 40k,
# no warm-up). B reads MiT's deepest level.
_base_ = ['mmseg::_base_/models/segformer_mit-b0.py', '../_base_/labor/spl_gta2cs.py']
checkpoint = 'https://download.openmmlab.com/mmsegmentation/v0.5/pretrain/segformer/mit_b0_20220624-7e0fe6dd.pth'  # noqa
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
model['segmentor']['backbone']['init_cfg'] = dict(type='Pretrained', checkpoint=checkpoint)
optim_wrapper = dict(segmentor=dict(
    _delete_=True,
    optimizer=dict(type='AdamW', lr=0.00006, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={'pos_block': dict(decay_mult=0.), 'norm': dict(decay_mult=0.),
                                    'head': dict(lr_mult=10.)})))
