# LabOR-SPL, MMSeg's UPerNet on mmpretrain's ConvNeXt-T (shipped for ADE20K, 19 classes here) as
# A, with the weights and optimizer MMSeg trains it with (AdamW under AMP) but for its layer-wise
# learning-rate decay: LabOR's MultiOptimWrapperConstructor builds each child's optimizer with
# MMEngine's default constructor, so the shipped LearningRateDecayOptimizerConstructor and its
# paramwise_cfg are left out. GTA5 -> Cityscapes. Needs mmpretrain (and torchvision).
# CPU-sized sibling: spl_upernet-convnext-tiny_synth.py.
_base_ = ['../../_base_/labor/spl_gta2cs.py']
from labor_mmseg.utils import shipped_model, shipped_optim_wrapper  # noqa: E402

model = dict(segmentor=shipped_model(
    'mmseg::convnext/convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py',
    num_classes=19),
    **_base_.labor)
optim_wrapper = dict(segmentor=dict(_delete_=True, **{
    k: v for k, v in shipped_optim_wrapper(
        'mmseg::convnext/convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py').items()
    if k not in ('constructor', 'paramwise_cfg')}))
