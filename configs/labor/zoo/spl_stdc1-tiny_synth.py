# LabOR-SPL, MMSeg's STDC1 (context path and FFM; its two FCN auxiliary heads and its 2-class
# STDCHead detail head, which learns on source only) as A, CPU-sized (1/4 of the channels, 1/2
# in the first two stages; plain BN, from scratch), on the synthetic benchmark.
_base_ = ['../../_base_/labor/spl_synth.py']
from labor_mmseg.utils.shipped_model import shipped_model  # noqa: E402

stdc = 'mmseg::stdc/stdc1_4xb12-80k_cityscapes-512x1024.py'
aux = [dict(head, in_channels=c, channels=16)  # the FCN heads' and STDCHead's, as shipped
       for head, c in zip(shipped_model(stdc).auxiliary_head, (32, 32, 64), strict=True)]
model = dict(segmentor=shipped_model(
    stdc, backbone=dict(backbone_cfg=dict(channels=(16, 32, 64, 128, 256)),
                        last_in_channels=(256, 128), out_channels=32,
                        ffm_cfg=dict(in_channels=96, out_channels=64)),
    decode_head=dict(in_channels=64, channels=64), auxiliary_head=aux), **_base_.labor)
del stdc, aux
