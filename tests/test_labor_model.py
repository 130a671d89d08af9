"""LabOR's train_step: each optimizer updates exactly the parameters it owns."""
import copy

import pytest
import torch
from mmengine.structures import PixelData
from mmseg.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmseg.structures import SegDataSample

from labor_mmseg.models.labor import frozen_norm_stats

NUM_CLASSES = 19


def tiny_segmentor() -> dict:
    return dict(
        type='EncoderDecoder',
        data_preprocessor=dict(type='SegDataPreProcessor', mean=[0, 0, 0], std=[255, 255, 255],
                               bgr_to_rgb=False, pad_val=0, seg_pad_val=255, size_divisor=8),
        backbone=dict(type='ResNetV1c', depth=18, stem_channels=8, base_channels=8,
                      out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1),
                      contract_dilation=True),
        decode_head=dict(type='DeepLabV2Head', in_channels=64, in_index=3, dilations=(1, 2),
                         num_classes=NUM_CLASSES),
        train_cfg=dict(), test_cfg=dict(mode='whole'))


def tiny_labor(own_backbone: bool = False, selector: bool = True,
               target_norm_stats: bool = True) -> torch.nn.Module:
    head = dict(type='DeepLabV2Head', in_channels=64, in_index=3, dilations=(1, 2),
                num_classes=NUM_CLASSES)
    backbone = tiny_segmentor()['backbone'] if own_backbone else None
    model = MODELS.build(dict(
        type='LabOR', segmentor=tiny_segmentor(),
        discriminator=dict(type='OutputAlignmentHead', num_classes=NUM_CLASSES,
                           channels=(8, 8, 8, 8)),
        selector=dict(type='DualHeadSelector', head=head) if selector else None,
        selector_backbone=backbone, pseudo_label_threshold=0.0, discrepancy_weight=1.0,
        target_norm_stats=target_norm_stats))
    model.init_weights()
    return model


def build_optim_wrapper(model):
    sgd = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
    cfg = dict(segmentor=sgd, selector=sgd, selector_backbone=sgd,
               discriminator=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3)))
    return OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type='MultiOptimWrapperConstructor', optim_wrapper_cfg=cfg))(model)


def domain_batch(n: int, h: int, w: int, labeled_fraction: float, seed: int) -> dict:
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for _ in range(n):
        inputs.append(torch.randint(0, 256, (3, h, w), generator=g, dtype=torch.uint8))
        labels = torch.randint(0, NUM_CLASSES, (1, h, w), generator=g)
        labels[torch.rand(1, h, w, generator=g) >= labeled_fraction] = 255
        samples.append(SegDataSample(gt_sem_seg=PixelData(data=labels),
                                     metainfo=dict(img_shape=(h, w), ori_shape=(h, w))))
    return dict(inputs=inputs, data_samples=samples)


def paired_batch() -> dict:
    return dict(source=domain_batch(2, 32, 48, 1.0, 0), target=domain_batch(2, 32, 32, 0.05, 1))


def record_steps(model, optim_wrapper) -> dict[str, set[str]]:
    """Patch each wrapper's step to record which model parameters it changed."""
    params = dict(model.named_parameters())
    changed: dict[str, set[str]] = {}
    for name, wrapper in optim_wrapper.items():
        def step(*args, _orig=wrapper.step, _name=name, **kwargs):
            if _name == 'segmentor':  # the adversarial loss must not reach D's gradients
                assert all(p.grad is None or not p.grad.any()
                           for p in model.discriminator.parameters())
            before = {n: p.detach().clone() for n, p in params.items()}
            _orig(*args, **kwargs)
            changed[_name] = {n for n, p in params.items() if not torch.equal(p, before[n])}
        wrapper.step = step
    return changed


@pytest.mark.parametrize('own_backbone', [False, True])
def test_each_optimizer_updates_only_its_child(own_backbone):
    torch.manual_seed(0)
    model = tiny_labor(own_backbone=own_backbone)
    optim_wrapper = build_optim_wrapper(model)
    expected = {'segmentor', 'discriminator', 'selector'} | (
        {'selector_backbone'} if own_backbone else set())
    assert set(optim_wrapper.keys()) == expected
    changed = record_steps(model, optim_wrapper)
    log_vars = model.train_step(paired_batch(), optim_wrapper)
    assert set(changed) == expected
    for name, names in changed.items():
        assert names, f'{name} step changed nothing'
        assert all(n.startswith(name + '.') for n in names), (name, sorted(names)[:5])
    for key in ('src.decode.loss_ce', 'tgt.decode.loss_ce', 'tgt.loss_adv', 'disc.loss_d',
                'sel.loss_pseudo', 'sel.discrepancy', 'sel.inconsistency_ratio'):
        assert key in log_vars and torch.isfinite(torch.as_tensor(log_vars[key]))


def test_adaptseg_without_selector():
    model = tiny_labor(selector=False)
    optim_wrapper = build_optim_wrapper(model)
    assert set(optim_wrapper.keys()) == {'segmentor', 'discriminator'}
    log_vars = model.train_step(paired_batch(), optim_wrapper)
    assert 'sel.loss_pseudo' not in log_vars and 'disc.loss_d' in log_vars


def test_discrepancy_is_maximised_by_the_selector():
    """With only the discrepancy term (no pseudo-labels), the two heads move apart."""
    torch.manual_seed(0)
    model = tiny_labor()
    model.pseudo_label_threshold = 2.0  # no pseudo-label passes: only -discrepancy remains
    optim_wrapper = build_optim_wrapper(model)
    batch = paired_batch()
    for sample in batch['target']['data_samples']:
        sample.gt_sem_seg.data[:] = 255
    first = model.train_step(batch, optim_wrapper)['sel.discrepancy']
    for _ in range(5):
        last = model.train_step(batch, optim_wrapper)['sel.discrepancy']
    assert last > first


def test_class_fraction_gives_the_selector_pseudo_labels_below_the_threshold():
    torch.manual_seed(0)
    model = tiny_labor()
    model.pseudo_label_threshold = 2.0  # none passes the threshold
    optim_wrapper = build_optim_wrapper(model)
    batch = paired_batch()
    for sample in batch['target']['data_samples']:
        sample.gt_sem_seg.data[:] = 255
    assert model.train_step(batch, optim_wrapper)['sel.pseudo_label_ratio'] == 0
    model.pseudo_label_class_fraction = 0.25
    ratio = model.train_step(batch, optim_wrapper)['sel.pseudo_label_ratio']
    assert 0.25 <= ratio < 0.25 + NUM_CLASSES / (32 * 32)  # rounded up per class and image
    with pytest.raises(ValueError, match='model.pseudo_label_class_fraction'):
        MODELS.build(dict(type='LabOR', segmentor=tiny_segmentor(),
                          pseudo_label_class_fraction=-0.1))


def batch_norms(module) -> list[torch.nn.BatchNorm2d]:
    return [m for m in module.modules() if isinstance(m, torch.nn.BatchNorm2d)]


def bn_running_stats(module) -> list[torch.Tensor]:
    return [t.clone() for m in batch_norms(module) for t in (m.running_mean, m.running_var)]


@pytest.mark.parametrize('target_norm_stats', [True, False])
def test_running_norm_stats_are_the_targets(target_norm_stats):
    """With target_norm_stats, A's BN running statistics after a step are those of its target
    forward alone; without, the source batch moves them too."""
    torch.manual_seed(0)
    model = tiny_labor(target_norm_stats=target_norm_stats).train()
    batch = paired_batch()
    target_only = copy.deepcopy(model.segmentor)
    with torch.no_grad():
        target_only(model.data_preprocessor(batch, True)['target']['inputs'], mode='tensor')
    model.train_step(batch, build_optim_wrapper(model))
    stats, expected = bn_running_stats(model.segmentor), bn_running_stats(target_only)
    assert len(stats) > 0
    same = all(torch.equal(a, b) for a, b in zip(stats, expected, strict=True))
    assert same == target_norm_stats
    assert all(m.track_running_stats for m in batch_norms(model))


def test_frozen_norm_stats_restores_tracking_on_error():
    model = tiny_labor()
    assert batch_norms(model.segmentor)
    with pytest.raises(RuntimeError, match='boom'):
        with frozen_norm_stats(model.segmentor):
            assert not any(m.track_running_stats for m in batch_norms(model.segmentor))
            raise RuntimeError('boom')
    assert all(m.track_running_stats for m in batch_norms(model.segmentor))


def test_predict_is_the_segmentors():
    model = tiny_labor().eval()
    batch = model.data_preprocessor(domain_batch(1, 32, 32, 1.0, 2), False)
    ours = model(batch['inputs'], batch['data_samples'], mode='tensor')
    theirs = model.segmentor(batch['inputs'], batch['data_samples'], mode='tensor')
    torch.testing.assert_close(ours, theirs)
    with pytest.raises(RuntimeError, match='train_step'):
        model(batch['inputs'], batch['data_samples'], mode='loss')


def test_missing_optimizer_entry_is_an_error():
    model = tiny_labor()
    cfg = dict(segmentor=dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01)))
    with pytest.raises(ValueError, match='discriminator'):
        OPTIM_WRAPPER_CONSTRUCTORS.build(
            dict(type='MultiOptimWrapperConstructor', optim_wrapper_cfg=cfg))(model)


def test_selector_probs_are_full_resolution_distributions():
    model = tiny_labor().eval()
    batch = model.data_preprocessor(domain_batch(1, 32, 32, 1.0, 3), False)
    prob1, prob2 = model.selector_probs(batch['inputs'], (64, 64))
    assert prob1.shape == prob2.shape == (1, NUM_CLASSES, 64, 64)
    torch.testing.assert_close(prob1.sum(1), torch.ones(1, 64, 64))
    assert not torch.equal(prob1, prob2)  # the heads are initialised differently


def test_train_step_under_amp_autocast(amp_on_cpu):
    """Every child under its own AmpOptimWrapper (bf16 autocast on the CPU)."""
    torch.manual_seed(0)
    model = tiny_labor(own_backbone=True)
    amp = dict(type='AmpOptimWrapper', dtype='bfloat16', loss_scale='dynamic',
               optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
    cfg = dict(segmentor=amp, selector=amp, selector_backbone=amp, discriminator=amp)
    optim_wrapper = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type='MultiOptimWrapperConstructor', optim_wrapper_cfg=cfg))(model)
    assert all(type(w).__name__ == 'AmpOptimWrapper' for w in optim_wrapper.values())
    changed = record_steps(model, optim_wrapper)
    log_vars = model.train_step(paired_batch(), optim_wrapper)
    for name, names in changed.items():
        assert names and all(n.startswith(name + '.') for n in names), name
    assert all(torch.isfinite(torch.as_tensor(v)).all() for v in log_vars.values())


@pytest.mark.parametrize('field', ['discriminator', 'selector', 'dataset'])
def test_a_class_count_mismatch_names_the_config_fields(field, tiny_benchmark, tmp_path):
    """A's head, D, B and the data must count the same classes; otherwise a conv inside D or
    a loss would fail without naming any field."""
    from mmengine.runner import Runner

    from .conftest import tiny_config
    cfg = tiny_config('spl_synth', tiny_benchmark, tmp_path)
    cfg.custom_hooks[-1].update(rounds=[2])
    if field == 'discriminator':
        cfg.model.discriminator.num_classes = 21
    elif field == 'selector':
        cfg.model.selector.head.num_classes = 21
    else:
        cfg.model.segmentor.decode_head.num_classes = 21
        cfg.model.discriminator.num_classes = 21
        cfg.model.selector.head.num_classes = 21
    wanted = {'discriminator': 'model.discriminator.num_classes=21',
              'selector': 'model.selector.head.num_classes=21',
              'dataset': 'the classes of train_dataloader.dataset=19'}[field]
    with pytest.raises(ValueError, match='must count the same classes') as err:
        Runner.from_cfg(cfg).train()
    assert wanted in str(err.value) and 'model.segmentor.decode_head.num_classes' in str(err.value)
