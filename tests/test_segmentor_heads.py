"""Model A trains as MMSeg trains it: every head (decode, auxiliary, cascade stages) gets its
loss, with MMSeg's names and weights, on source and on the labeled target pixels."""
import pytest
import torch
from mmengine.hub import get_config
from mmseg.registry import MODELS

import labor_mmseg.models.labor as labor_module
from labor_mmseg.models.utils.segmentor_heads import (
    all_heads,
    final_head,
    head_loss_weight,
    head_losses_as,
)
from tests.test_labor_model import NUM_CLASSES, build_optim_wrapper, paired_batch

BN = dict(type='BN', requires_grad=True)
# ResNetV1c-18 with 8 base channels: stages of 8, 16, 32 and 64 channels. Residual branches
# start non-zero, or their first step's gradients would be zero by MMSeg's init, not by LabOR.
TINY_BACKBONE = dict(depth=18, stem_channels=8, base_channels=8, norm_cfg=BN, pretrained=None,
                     zero_init_residual=False)
TINY_HEAD = dict(channels=16, dropout_ratio=0.0, norm_cfg=BN, num_classes=NUM_CLASSES)


def tiny_zoo_segmentor(name: str) -> dict:
    """MMSeg's shipped model config ``name`` on the tiny backbone (no dropout, plain BN)."""
    model = get_config(f'mmseg::_base_/models/{name}.py').model.to_dict()
    model['pretrained'] = None
    model['data_preprocessor']['size_divisor'] = 8  # MMSeg's full configs set a crop size
    model['backbone'].update(TINY_BACKBONE)
    model['backbone'].pop('pretrained')
    stage_channels = [8, 16, 32, 64]
    heads = model['decode_head'] if isinstance(model['decode_head'], list) else [
        model['decode_head']]
    aux = model.get('auxiliary_head')
    for head in heads + ([aux] if aux else []):
        head.update(TINY_HEAD)
        index = head['in_index']
        head['in_channels'] = ([stage_channels[i] for i in index]
                               if isinstance(index, list | tuple) else stage_channels[index])
        if head['type'] == 'OCRHead':
            head['ocr_channels'] = 8
    return model


def tiny_labor_with(segmentor: dict) -> torch.nn.Module:
    selector_head = dict(type='DeepLabV2Head', in_channels=64, in_index=3, dilations=(1, 2),
                         num_classes=NUM_CLASSES)
    model = MODELS.build(dict(
        type='LabOR', segmentor=segmentor,
        discriminator=dict(type='OutputAlignmentHead', num_classes=NUM_CLASSES,
                           channels=(8, 8, 8, 8)),
        selector=dict(type='DualHeadSelector', head=selector_head),
        pseudo_label_threshold=0.0))
    model.init_weights()
    return model.train()


ZOO = {
    'upernet_r50': ('decode', 'aux'),
    'pspnet_r50-d8': ('decode', 'aux'),
    'ocrnet_r50-d8': ('decode_0', 'decode_1'),
}


@pytest.mark.parametrize('name', ZOO)
def test_every_parameter_of_a_gets_a_gradient(name):
    """One step: every trainable parameter of A, auxiliary heads and cascade stages included,
    receives a non-zero gradient (before, auxiliary heads got none and OCRNet crashed)."""
    torch.manual_seed(0)
    model = tiny_labor_with(tiny_zoo_segmentor(name))
    optim_wrapper = build_optim_wrapper(model)
    params = {n: p for n, p in model.segmentor.named_parameters() if p.requires_grad}
    without_grad: list[str] = []

    def record(*args, _orig=optim_wrapper['segmentor'].step, **kwargs):
        without_grad.extend(n for n, p in params.items() if p.grad is None or not p.grad.any())
        return _orig(*args, **kwargs)

    optim_wrapper['segmentor'].step = record
    log_vars = model.train_step(paired_batch(), optim_wrapper)
    assert params and not without_grad, without_grad[:5]
    for prefix in ZOO[name]:
        for domain in ('src', 'tgt'):
            assert log_vars[f'{domain}.{prefix}.loss_ce'] > 0


@pytest.mark.parametrize('name', ZOO)
def test_source_losses_are_mmsegs_own(name):
    """The source loss dict equals MMSeg's own ``segmentor.loss()`` on the same batch, key by
    key, under MMSeg's names (``decode.*``, ``aux.*``, ``decode_<i>.*``)."""
    torch.manual_seed(0)
    model = tiny_labor_with(tiny_zoo_segmentor(name))
    batch = paired_batch()
    source = model.data_preprocessor(batch, True)['source']
    with torch.no_grad():
        expected = model.segmentor.loss(source['inputs'], source['data_samples'])
    log_vars = model.train_step(batch, build_optim_wrapper(model))
    assert not any('loss_by_feat' in vars(head) for head in all_heads(model.segmentor))
    got = {k[len('src.'):]: v for k, v in log_vars.items() if k.startswith('src.')}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        torch.testing.assert_close(torch.as_tensor(got[key]), value.mean(), msg=key)


def test_target_loss_of_a_head_is_weighted_as_its_own():
    """Each head's target loss is LabOR's target loss on the labeled pixels times the weight the
    head gives its own loss (0.4 for MMSeg's auxiliary heads), under MMSeg's names."""
    torch.manual_seed(0)
    model = tiny_labor_with(tiny_zoo_segmentor('pspnet_r50-d8'))
    segmentor = model.segmentor
    assert head_loss_weight(segmentor.decode_head) == 1.0
    assert head_loss_weight(segmentor.auxiliary_head) == 0.4
    target = model.data_preprocessor(paired_batch(), True)['target']
    with torch.no_grad():
        feats = segmentor.extract_feat(target['inputs'])
        unweighted = {}
        for prefix, head in (('decode', segmentor.decode_head), ('aux', segmentor.auxiliary_head)):
            unweighted[prefix] = model.target_loss(
                torch.nn.functional.interpolate(head(feats), size=(32, 32), mode='bilinear',
                                              align_corners=False),
                torch.stack([s.gt_sem_seg.data[0] for s in target['data_samples']]).long(),
                ignore_index=255)
        with head_losses_as([segmentor.decode_head, segmentor.auxiliary_head],
                            model.target_head_loss):
            losses = segmentor.loss(target['inputs'], target['data_samples'])
    assert set(losses) == {'decode.loss_ce', 'aux.loss_ce'}
    torch.testing.assert_close(losses['decode.loss_ce'], unweighted['decode'])
    torch.testing.assert_close(losses['aux.loss_ce'], 0.4 * unweighted['aux'])
    assert 'loss_by_feat' not in vars(segmentor.decode_head)  # the override is gone


def test_a_head_without_loss_by_feat_is_named():
    """A decode head whose loss() bypasses loss_by_feat gets an error naming it."""
    model = tiny_labor_with(tiny_zoo_segmentor('pspnet_r50-d8'))
    head = model.segmentor.decode_head
    head.loss = lambda inputs, data_samples, train_cfg: {
        'loss_ce': head.forward(inputs).mean()}
    with pytest.raises(RuntimeError, match='PSPHead computed its loss 0 times'):
        model.train_step(paired_batch(), build_optim_wrapper(model))


def test_a_segmentor_without_decode_head_is_named():
    with pytest.raises(ValueError, match=r'model\.segmentor \(Linear\) has no decode_head'):
        final_head(torch.nn.Linear(1, 1))


@pytest.mark.parametrize('name', ['danet_r50-d8', 'encnet_r50-d8'])
def test_a_head_of_several_outputs_learns_the_target_through_a_prediction(name):
    """DANet's head gives three maps, EncNet's a map and a class vector: no single logits map
    reaches their loss, so on the target A learns the labels through its own prediction
    (``tgt.pred.loss_ce``, MMSeg's inference path) and D and B read that prediction; the FCN
    auxiliary head, which reads a map, keeps its own target loss."""
    torch.manual_seed(0)
    model = tiny_labor_with(tiny_zoo_segmentor(name))
    log_vars = model.train_step(paired_batch(), build_optim_wrapper(model))
    assert log_vars['tgt.pred.loss_ce'] > 0 and log_vars['tgt.aux.loss_ce'] > 0
    assert not any(k.startswith('tgt.decode') for k in log_vars)
    assert any(k.startswith('src.decode') and k.endswith('loss_ce') for k in log_vars)  # its own
    assert 'disc.loss_d' in log_vars and 'sel.loss_pseudo' in log_vars


def test_a_head_of_other_classes_learns_on_source_only(monkeypatch):
    """A 2-class head (STDC's boundary head as an auxiliary head) gets its own loss on source
    (boundaries it derives from the labels) and none on the target, whose labels are not its
    classes; a log line says so when the model is built."""
    segmentor = tiny_zoo_segmentor('pspnet_r50-d8')
    segmentor['auxiliary_head'] = dict(
        type='STDCHead', in_channels=32, in_index=2, channels=16, num_convs=1, num_classes=2,
        boundary_threshold=0.1, concat_input=False, norm_cfg=BN, align_corners=False,
        loss_decode=[dict(type='CrossEntropyLoss', loss_name='loss_ce', use_sigmoid=True),
                     dict(type='DiceLoss', loss_name='loss_dice')])
    logged = []
    monkeypatch.setattr(labor_module, 'print_log', lambda msg, *args, **kw: logged.append(msg))
    model = tiny_labor_with(segmentor)
    log_vars = model.train_step(paired_batch(), build_optim_wrapper(model))
    assert 'src.aux.loss_ce' in log_vars and 'tgt.decode.loss_ce' in log_vars
    assert 'tgt.aux.loss_ce' not in log_vars and 'tgt.pred.loss_ce' not in log_vars
    assert any(m.startswith('model.segmentor.auxiliary_head (STDCHead, 2 classes) learns from '
                            'its own loss on source only') for m in logged), logged
