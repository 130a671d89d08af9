"""Self-training (``MeanTeacher``, ``_base_/labor/self-training_{synth,gta2cs}.py``): the
teacher is an EMA of A, pseudo-labels and their weights, ClassMix, bought labels over
pseudo-labels, the layer on every method and a zoo model, and resume."""
import math
import shutil

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmseg.registry import MODELS
from torch import nn

from labor_mmseg.datasets.build import build_dataset
from labor_mmseg.datasets.rare_class_sampling import RareClassSampling, class_pixel_counts
from labor_mmseg.models import FeatureDistance, MeanTeacher
from labor_mmseg.models.labor import resize_to
from labor_mmseg.models.self_training.feature_distance import kept_positions
from labor_mmseg.models.utils import (
    class_mix_masks,
    color_jitter,
    confidence_weighted,
    fit_to,
    gaussian_blur,
    mix,
)
from labor_mmseg.models.utils.feature_channels import feature_maps
from labor_mmseg.utils.experiment import ROUND, round_check_run, small_run, target_losses

from .conftest import REPO
from .test_labor_model import build_optim_wrapper, domain_batch, tiny_segmentor


def test_the_teacher_is_an_ema_of_a_with_dAFormers_warm_up():
    torch.manual_seed(0)
    student = nn.Linear(3, 2)
    teaching = MeanTeacher(alpha=0.9)
    teaching.attach(student)
    expected = None
    for step in range(5):
        with torch.no_grad():
            student.weight.add_(torch.randn_like(student.weight))
        teaching.update(student)
        # DAFormer: alpha_t = min(1 - 1 / (t + 1), alpha); the first update copies A.
        alpha = min(1 - 1 / (step + 1), 0.9)
        expected = (student.weight.clone() if expected is None
                    else alpha * expected + (1 - alpha) * student.weight)
        assert torch.allclose(teaching.model.weight, expected, atol=1e-6), step
    assert not any(p.requires_grad for p in teaching.teacher.parameters())


def test_pseudo_labels_weigh_each_image_by_its_share_of_confident_pixels():
    probs = torch.full((2, 3, 4, 5), 0.1)
    probs[:, 0] = 0.8  # class 0, below 0.968 everywhere ...
    probs[0, :, :2] = torch.tensor([0.01, 0.98, 0.01]).view(3, 1, 1)  # ... but image 0's 2 rows
    probs[1, :, 3, 4] = torch.tensor([0.0, 0.0, 1.0])  # image 1: one confident pixel
    pseudo, weight = confidence_weighted(probs, 0.968)
    assert pseudo[0, :2].eq(1).all() and pseudo[0, 2:].eq(0).all()
    assert pseudo[1, 3, 4] == 2 and pseudo[1].eq(0).sum() == 19
    assert torch.allclose(weight[0], torch.full((4, 5), 10 / 20))
    assert torch.allclose(weight[1], torch.full((4, 5), 1 / 20))
    # Ignored rows weigh nothing, and the share counts the other rows only.
    _, weight = confidence_weighted(probs, 0.968, ignore_rows=(1, 1))
    assert weight[:, 0].eq(0).all() and weight[:, 3].eq(0).all()
    assert torch.allclose(weight[0, 1:3], torch.full((2, 5), 5 / 10))
    assert torch.allclose(weight[1, 1:3], torch.zeros(2, 5))


def test_class_mix_pastes_exactly_half_of_the_source_classes():
    labels = torch.full((2, 6, 6), 255)
    labels[0, :2], labels[0, 2:4], labels[0, 4:, :3] = 3, 5, 7  # image 0: 3 classes
    labels[1, :, :3], labels[1, :, 3:] = 1, 2  # image 1: 2 classes
    for seed in range(5):
        masks = class_mix_masks(labels, generator=torch.Generator().manual_seed(seed))
        for image, mask, pasted in ((0, masks[0], 2), (1, masks[1], 1)):
            chosen = labels[image][mask].unique()
            assert len(chosen) == pasted and 255 not in chosen
            # Every pixel of a chosen class, and no other pixel.
            assert torch.equal(mask, torch.isin(labels[image], chosen))
    base, pasted = torch.zeros(2, 3, 6, 6), torch.ones(2, 3, 6, 6)
    mixed = mix(masks, pasted, base)
    assert torch.equal(mixed, masks.unsqueeze(1).expand_as(base).float())
    with pytest.raises(ValueError, match='one size'):
        mix(masks, pasted, torch.zeros(2, 3, 6, 8))


def test_strong_augmentation_keeps_images_in_range_and_draws_per_image():
    g = torch.Generator().manual_seed(0)
    images = torch.rand(4, 3, 16, 24, generator=g)
    jittered = color_jitter(images, generator=torch.Generator().manual_seed(1))
    assert jittered.shape == images.shape and 0 <= jittered.min() and jittered.max() <= 1
    assert color_jitter(images, probability=0.0).equal(images)
    assert not color_jitter(images, probability=1.0).equal(images)
    blurred = gaussian_blur(images, probability=1.0)
    assert blurred.std() < images.std()  # smoothed
    assert torch.allclose(blurred.mean(dim=(2, 3)), images.mean(dim=(2, 3)), atol=0.02)
    assert gaussian_blur(images, probability=0.0).equal(images)


def test_bought_labels_win_over_pseudo_labels_after_mixing():
    teaching = MeanTeacher(color_jitter=None, blur=None)  # the pixels' content, unchanged
    source, target = domain_batch(2, 8, 8, 1.0, 0), domain_batch(2, 8, 8, 0.3, 1)
    source = dict(inputs=torch.stack(source['inputs']).float(),
                  data_samples=source['data_samples'])
    target = dict(inputs=torch.stack(target['inputs']).float(),
                  data_samples=target['data_samples'])
    bought = torch.stack([s.gt_sem_seg.data[0] for s in target['data_samples']])
    source_labels = torch.stack([s.gt_sem_seg.data[0] for s in source['data_samples']])
    pseudo = torch.full((2, 8, 8), 18)
    weight = torch.tensor([0.25, 0.75]).view(2, 1, 1).expand(2, 8, 8)
    torch.manual_seed(3)
    chosen = class_mix_masks(source_labels)
    torch.manual_seed(3)
    mean, std = torch.zeros(1, 3, 1, 1), torch.full((1, 3, 1, 1), 255.0)
    mixed = teaching.mixed_batch(source, target, pseudo, weight, bought, mean, std)
    labels = torch.stack([s.gt_sem_seg.data[0] for s in mixed['data_samples']])
    weights = torch.stack([s.gt_weight.data[0] for s in mixed['data_samples']])
    has_bought = bought != 255
    pasted = chosen & ~has_bought
    rest = ~chosen & ~has_bought
    # Source classes over bought pixels are not pasted: the target and its label stay.
    assert (chosen & has_bought).any() and pasted.any() and rest.any()
    assert torch.equal(labels[pasted], source_labels[pasted])
    assert torch.allclose(mixed['inputs'].permute(0, 2, 3, 1)[pasted],
                          source['inputs'].permute(0, 2, 3, 1)[pasted])
    assert torch.equal(labels[has_bought], bought[has_bought])
    assert torch.allclose(mixed['inputs'].permute(0, 2, 3, 1)[has_bought],
                          target['inputs'].permute(0, 2, 3, 1)[has_bought])
    assert weights[pasted | has_bought].eq(1).all()
    assert labels[rest].eq(18).all() and torch.equal(weights[rest], weight[rest])


def test_class_mix_from_the_target_pastes_the_previous_images_labels_and_weights():
    teaching = MeanTeacher(color_jitter=None, blur=None, paste_from='target')
    target = domain_batch(2, 8, 8, 0.3, 1)
    target = dict(inputs=torch.stack(target['inputs']).float(),
                  data_samples=target['data_samples'])
    bought = torch.full((2, 8, 8), 255)
    bought[:, :4] = torch.stack([s.gt_sem_seg.data[0] for s in target['data_samples']])[:, :4]
    pseudo = torch.stack([torch.full((8, 8), 17), torch.full((8, 8), 18)])
    pseudo[:, 6:] = 16
    weight = torch.tensor([0.25, 0.75]).view(2, 1, 1).expand(2, 8, 8)
    own = torch.where(bought != 255, bought, pseudo)
    own_weight = torch.where(bought != 255, 1.0, weight)
    torch.manual_seed(3)
    chosen = class_mix_masks(own.roll(1, 0))
    torch.manual_seed(3)
    mean, std = torch.zeros(1, 3, 1, 1), torch.full((1, 3, 1, 1), 255.0)
    mixed = teaching.mixed_batch(None, target, pseudo, weight, bought, mean, std)
    labels = torch.stack([s.gt_sem_seg.data[0] for s in mixed['data_samples']])
    weights = torch.stack([s.gt_weight.data[0] for s in mixed['data_samples']])
    pasted = chosen & (bought == 255)
    assert pasted.any() and (~chosen & (bought == 255)).any()
    # Image i takes image i - 1's pixels, label and weight where its classes are pasted.
    assert torch.equal(labels[pasted], own.roll(1, 0)[pasted])
    assert torch.equal(weights[pasted], own_weight.roll(1, 0)[pasted])
    assert torch.allclose(mixed['inputs'].permute(0, 2, 3, 1)[pasted],
                          target['inputs'].roll(1, 0).permute(0, 2, 3, 1)[pasted])
    assert torch.equal(labels[~pasted], own[~pasted])
    assert torch.equal(weights[~pasted], own_weight[~pasted])
    with pytest.raises(ValueError, match='train_dataloader.batch_size'):
        teaching.mixed_batch(None, {k: v[:1] for k, v in target.items()}, pseudo[:1],
                             weight[:1], bought[:1], mean, std)
    with pytest.raises(ValueError, match='model.self_training.paste_from'):
        MeanTeacher(paste_from='other')


def test_a_self_training_step_updates_a_and_the_teacher_only():
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='LabOR', segmentor=tiny_segmentor(),
        selector=dict(type='DualHeadSelector', head=dict(
            type='DeepLabV2Head', in_channels=64, in_index=3, dilations=(1, 2), num_classes=19)),
        self_training=dict(type='MeanTeacher')))
    model.init_weights()
    optim_wrapper = build_optim_wrapper(model)
    assert set(optim_wrapper.keys()) == {'segmentor', 'selector'}  # no optimizer for the teacher
    batch = dict(source=domain_batch(2, 32, 32, 1.0, 0), target=domain_batch(2, 32, 32, 0.05, 1))
    before = {k: v.clone() for k, v in model.self_training.state_dict().items()}
    log_vars = model.train_step(batch, optim_wrapper)
    for key in ('src.decode.loss_ce', 'tgt.decode.loss_ce', 'mix.decode.loss_ce',
                'mix.pseudo_weight', 'sel.loss_pseudo'):
        assert key in log_vars and math.isfinite(float(log_vars[key])), key
    assert 'tgt.loss_adv' not in log_vars
    after = model.self_training.state_dict()
    # The first update copies A: the teacher is A after its step.
    assert any(not torch.equal(before[k], after[k]) for k in before)
    teacher = dict(model.self_training.model.named_parameters())
    assert all(torch.equal(p, teacher[n]) for n, p in model.segmentor.named_parameters())


def layered(config: str, tmp_path) -> Config:
    """``config`` with the self-training layer, composed as a user composes it."""
    path = tmp_path / 'with_self_training.py'
    path.write_text(f"_base_ = ['{config}', '{REPO}/configs/_base_/labor/self-training_synth.py']\n"
                    'model = _base_.with_self_training\n'
                    'train_dataloader = _base_.with_rare_class_sampling\n')
    return Config.fromfile(path)


@pytest.mark.parametrize('config', [
    'configs/labor/spl-st_synth.py', 'configs/labor/ppl-st_synth.py',
    'configs/labor/ripu-regions-st_synth.py', 'zoo/spl_pspnet-r18-tiny_synth.py'])
def test_the_layer_combines_with_methods_and_zoo_models(config, tiny_benchmark, tmp_path):
    if config.startswith('zoo/'):
        cfg = layered(f'{REPO}/configs/labor/{config}', tmp_path)
    else:
        cfg = Config.fromfile(REPO / config)
    assert cfg.model.self_training.type == 'MeanTeacher' and cfg.model.discriminator
    runner, recorder = round_check_run(cfg, tiny_benchmark, tmp_path / 'run')
    runner.train()
    # The source image of each pair is drawn by rare class sampling (DAFormer Eq. 7).
    assert isinstance(runner.train_dataloader.dataset.rare_class_sampling, RareClassSampling)
    store = runner.work_dir + '/label_store/manifest.json'
    assert '"queried"' in open(store).read()
    mixed = [k for k in recorder.outputs[-1] if k.startswith('mix.') and 'loss' in k]
    assert mixed and all(recorder.outputs[-1][k] > 0 for k in mixed), recorder.outputs[-1]
    # The bought labels' loss on the unmixed target: nothing before the round, from the very
    # next step on.
    bought = target_losses(recorder.outputs[-1])
    assert bought, recorder.outputs[-1]
    for key in bought:
        assert [out[key] for out in recorder.outputs[:ROUND]] == [0.0] * ROUND, key
        assert all(out[key] > 0 for out in recorder.outputs[ROUND:]), key
    assert all(0 <= out['mix.pseudo_weight'] <= 1 for out in recorder.outputs)


@pytest.mark.parametrize('feature_distance', [None, dict(classes=None, min_ratio=0.01)])
def test_resume_restores_the_teacher(feature_distance, tiny_benchmark, tmp_path):
    def config() -> Config:
        cfg = Config.fromfile(REPO / 'configs/labor/self-training_synth.py')
        cfg.model.self_training.feature_distance = feature_distance
        return small_run(cfg, tiny_benchmark, tmp_path, max_iters=3)

    cfg = config()
    cfg.default_hooks.checkpoint.interval = 3
    runner = Runner.from_cfg(cfg)
    runner.train()
    saved = {k: v.clone() for k, v in runner.model.self_training.state_dict().items()}
    assert int(saved['teacher.steps']) == 3
    student = runner.model.segmentor.state_dict()
    assert any(not torch.equal(v, student[k.removeprefix('teacher.module.')])
               for k, v in saved.items() if k.startswith('teacher.module.'))
    # With the feature distance, its reference (A's backbone as initialised) is saved too.
    assert any(k.startswith('feature_distance.') for k in saved) == bool(feature_distance)

    cfg = config()
    cfg.resume = True
    resumed = Runner.from_cfg(cfg)
    resumed.load_or_resume()
    restored = resumed.model.self_training.state_dict()
    assert all(torch.equal(saved[k], restored[k]) for k in saved)


def test_rare_class_sampling_draws_rare_classes_more_often(tiny_benchmark):
    source = build_dataset(dict(type='GTADataset', data_root=str(tiny_benchmark / 'gta'),
                                pipeline=[]), 'source')
    counts = class_pixel_counts(source, 19)
    sampling = RareClassSampling(source, 19, temperature=0.1, min_pixels=20)
    share = counts.sum(0) / counts.sum()
    # DAFormer Eq. 7 over the classes some image holds min_pixels of.
    present = [c for c in range(19) if (counts[:, c] >= 20).any()]
    expected = np.exp((1 - share[present]) / 0.1)
    assert list(sampling.classes) == present
    assert np.allclose(sampling.class_prob, expected / expected.sum())
    # A class, then an image among those holding it: each image's chance.
    chance = np.zeros(len(source))
    for c, prob in zip(sampling.classes, sampling.class_prob, strict=True):
        holders = np.flatnonzero(counts[:, c] >= 20)
        chance[holders] += prob / len(holders)
    np.random.seed(0)
    drawn = np.bincount([sampling.sample() for _ in range(20000)], minlength=len(source))
    assert np.allclose(drawn / 20000, chance, atol=0.015)
    # DAFormer's T = 0.01: the most frequent class is almost never the one drawn for.
    sharp = RareClassSampling(source, 19, temperature=0.01, min_pixels=20)
    frequent, rarest = (int(np.argmax(share[present])), int(np.argmin(share[present])))
    assert sharp.class_prob[frequent] < 1e-3 * sharp.class_prob[rarest]
    with pytest.raises(ValueError, match='min_pixels'):
        RareClassSampling(source, 19, min_pixels=10**9)


def test_rare_class_counts_are_kept_and_only_changed_maps_read_again(tiny_benchmark, tmp_path,
                                                                     monkeypatch):
    import mmcv

    from labor_mmseg.datasets import rare_class_sampling
    data = tmp_path / 'gta'
    shutil.copytree(tiny_benchmark / 'gta', data,
                    ignore=shutil.ignore_patterns('rare_class_counts.json'))  # other tests'
    source = build_dataset(dict(type='GTADataset', data_root=str(data), pipeline=[]), 'source')
    expected = class_pixel_counts(source, 19)
    imread, reads, logged = mmcv.imread, [], []
    monkeypatch.setattr(mmcv, 'imread', lambda path, **kw: reads.append(path) or imread(
        path, **kw))
    monkeypatch.setattr(rare_class_sampling, 'print_log', lambda msg, *a, **kw: logged.append(msg))
    RareClassSampling(source, 19, min_pixels=20, counts_file=None)
    assert len(reads) == len(source) and list(data.glob('*.json')) == []
    kept = data / 'rare_class_counts.json'  # by default, in the dataset's data_root
    sampling = RareClassSampling(source, 19, min_pixels=20)
    assert len(reads) == 2 * len(source) and kept.is_file()
    again = RareClassSampling(source, 19, min_pixels=20)
    assert len(reads) == 2 * len(source)  # nothing read again
    assert np.array_equal(again.class_prob, sampling.class_prob)
    changed = source.get_data_info(1)['seg_map_path']
    labels = imread(changed, flag='unchanged')
    mmcv.imwrite(np.where(labels == 255, labels, 0).astype(np.uint8), changed)
    counts = class_pixel_counts(source, 19, str(kept))
    assert reads[2 * len(source):] == [changed]  # only the changed map
    assert counts[1, 0] == (labels != 255).sum() and np.array_equal(counts[2:], expected[2:])
    kept.write_text('{"maps": [')  # damaged: counted again and replaced, with a warning
    assert np.array_equal(class_pixel_counts(source, 19, str(kept)), counts)
    assert f'{kept} is not a counts file' in logged[-1]
    assert np.array_equal(class_pixel_counts(source, 19, str(kept)), counts)
    assert len(reads) == 3 * len(source) + 1  # the replaced file is read, not the maps
    kept.unlink()
    kept.mkdir()  # cannot be written: the counts are used anyway
    assert np.array_equal(class_pixel_counts(source, 19, str(kept)), counts)
    assert f'cannot write the counts file {kept}' in logged[-1]


def test_a_source_of_another_size_is_cropped_or_padded_to_the_targets():
    images = torch.arange(2 * 3 * 6 * 4, dtype=torch.float).view(2, 3, 6, 4)
    labels = torch.arange(2 * 6 * 4).view(2, 6, 4) % 19
    cropped, cropped_labels = fit_to(images, labels, (4, 6),
                                     generator=torch.Generator().manual_seed(0))
    assert cropped.shape == (2, 3, 4, 6) and cropped_labels.shape == (2, 4, 6)
    # A window of the rows (the same for images and labels), padded columns: 0 and ignored.
    start = int((cropped[0, 0, 0, 0] - images[0, 0, 0, 0]) // 4)
    assert torch.equal(cropped[:, :, :, :4], images[:, :, start:start + 4])
    assert torch.equal(cropped_labels[:, :, :4], labels[:, start:start + 4])
    assert cropped[:, :, :, 4:].eq(0).all() and cropped_labels[:, :, 4:].eq(255).all()
    assert fit_to(images, labels, (6, 4))[0] is images  # the same size: untouched


@pytest.mark.parametrize('selection', ['teacher', 'student'])
def test_b_reads_the_teacher_or_a_as_configured(selection):
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='LabOR', segmentor=tiny_segmentor(),
        selector=dict(type='DualHeadSelector', head=dict(
            type='DeepLabV2Head', in_channels=64, in_index=3, dilations=(1, 2), num_classes=19)),
        self_training=dict(type='MeanTeacher', selection=selection)))
    model.init_weights()
    optim_wrapper = build_optim_wrapper(model)
    batch = dict(source=domain_batch(2, 32, 32, 1.0, 0), target=domain_batch(2, 32, 32, 0.05, 1))
    assert 'sel.loss_pseudo' in model.train_step(batch, optim_wrapper)
    with torch.no_grad():  # the teacher and A differ from here on
        for p in model.self_training.model.parameters():
            p.add_(0.1)
    model.eval()
    inputs = torch.rand(1, 3, 32, 32)
    probs = model.selector_probs(inputs, (32, 32))
    reads = model.self_training.model if selection == 'teacher' else model.segmentor
    with torch.no_grad():
        logits = model.selector(feature_maps(reads.backbone(inputs)))
    assert torch.allclose(probs[0], torch.softmax(resize_to(logits[0], (32, 32)), dim=1))


def test_feature_distance_keeps_positions_by_their_label_patchs_share():
    labels = torch.zeros(1, 4, 6, dtype=torch.long)  # 2x3 patches of 2x2 pixels
    labels[0, :2, :2] = 6  # all class 6: kept
    labels[0, :2, 2:4] = 7
    labels[0, 0, 2] = 0  # 3 of 4 pixels class 7: kept at 0.75
    labels[0, 2:, :2] = torch.tensor([[11, 11], [0, 255]])  # half: not kept
    labels[0, 2:, 2:4] = torch.tensor([[255, 255], [255, 6]])  # mostly ignored: not kept
    # (the last column's patches: class 0, not a chosen class)
    kept = kept_positions(labels, (2, 3), torch.tensor([6, 7, 11]), 0.75, 19)
    assert kept.tolist() == [[[True, True, False], [False, False, False]]]
    assert kept_positions(labels, (2, 3), torch.tensor([6, 7, 11]), 0.5, 19).tolist() == [
        [[True, True, False], [True, False, False]]]


def test_feature_distance_is_the_weighted_mean_distance_on_kept_positions():
    torch.manual_seed(0)
    distance = FeatureDistance(weight=0.5, classes=(6, 7), min_ratio=0.75)
    backbone = nn.Sequential(nn.Conv2d(3, 2, 2, stride=2), nn.BatchNorm2d(2))
    distance.attach(backbone)
    inputs = torch.randn(1, 3, 4, 6)
    labels = torch.zeros(1, 4, 6, dtype=torch.long)
    labels[0, :2, :2], labels[0, :2, 2:4] = 6, 7  # positions (0, 0) and (0, 1) kept
    with torch.no_grad():
        reference = distance.reference(inputs)
    delta = torch.full((1, 2, 2, 3), 100.0)  # far off where not kept
    delta[0, :, 0, 0] = torch.tensor([3.0, 4.0])
    delta[0, :, 0, 1] = torch.tensor([0.0, 1.0])
    student = (reference + delta).requires_grad_()
    loss = distance.loss(inputs, labels, student, 19)
    assert loss.item() == pytest.approx(0.5 * (5.0 + 1.0) / 2)  # DAFormer Eq. 8-9
    loss.backward()
    assert student.grad[:, :, 1].eq(0).all() and student.grad[:, :, 0, 2].eq(0).all()
    nothing = distance.loss(inputs, torch.zeros_like(labels), student, 19)  # no thing pixel
    assert nothing.item() == 0 and nothing.requires_grad
    distance.train()
    assert not distance.reference.training  # its batch norm is never updated


def test_feature_distance_reference_is_a_as_initialised_and_stays(tmp_path):
    torch.manual_seed(1)
    pretrained = MODELS.build(tiny_segmentor()['backbone'])
    torch.save({'state_dict': pretrained.state_dict()}, tmp_path / 'imagenet.pth')
    segmentor = tiny_segmentor()
    segmentor['backbone']['init_cfg'] = dict(type='Pretrained',
                                             checkpoint=str(tmp_path / 'imagenet.pth'))
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='LabOR', segmentor=segmentor,
        self_training=dict(type='MeanTeacher',
                           feature_distance=dict(classes=None, min_ratio=0.01))))
    model.init_weights()
    reference = model.self_training.feature_distance.reference
    assert all(torch.equal(v, pretrained.state_dict()[k])
               for k, v in reference.state_dict().items())
    assert not any(p.requires_grad for p in reference.parameters())
    assert any(k.startswith('self_training.feature_distance.reference.')
               for k in model.state_dict())  # saved in checkpoints: a resume keeps it
    batch = dict(source=domain_batch(2, 32, 32, 1.0, 0), target=domain_batch(2, 32, 32, 0.05, 1))
    data = model.data_preprocessor(batch, True)
    losses, _ = model._source_losses(model.segmentor, data['source'])
    losses['loss_fd'].backward()  # it reaches A's backbone, not its head
    assert losses['loss_fd'] > 0
    assert all(p.grad is not None for p in model.segmentor.backbone.parameters())
    assert all(p.grad is None for p in model.segmentor.decode_head.parameters())
    model.zero_grad()
    log_vars = model.train_step(batch, build_optim_wrapper(model))
    assert math.isfinite(float(log_vars['src.loss_fd']))
    backbone = model.segmentor.backbone.state_dict()
    assert all(torch.equal(v, pretrained.state_dict()[k])
               for k, v in reference.state_dict().items())  # A moved, its reference did not
    assert any(not torch.equal(v, backbone[k]) for k, v in reference.state_dict().items())
