# LabOR-SPL, GTA5 -> Cityscapes, with MMSeg's UPerNet R50 (with its auxiliary FCN head) as A and
# its optimizer (SGD 0.01, as in MMSeg's Cityscapes configs of it); the schedule stays
# LabOR's: poly 0.9 over 40k iterations.
_base_ = ['mmseg::_base_/models/upernet_r50.py', '../_base_/labor/spl_gta2cs.py']
model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)
optim_wrapper = dict(
    segmentor=dict(_delete_=True, optimizer=dict(type='SGD', lr=0.01, momentum=0.9,
                                                  weight_decay=0.0005)))
