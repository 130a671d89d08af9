"""A selection round on the tiny benchmark: exact budget, ground truth at selected pixels only."""
import re

import cv2
import numpy as np
import pytest
from mmengine.runner import Runner

from labor_mmseg.engine import ActiveSelectionHook, PPLSelectionHook, SPLSelectionHook
from labor_mmseg.labeling import QUERIED_VOID
from labor_mmseg.selection import select_ppl

from .conftest import REPO, tiny_config


def build_runner(tiny_benchmark, tmp_path, seed: int = 0):
    cfg = tiny_config('spl_synth', tiny_benchmark, tmp_path, max_iters=10)
    cfg.custom_hooks = []
    cfg.randomness = dict(seed=seed)
    runner = Runner.from_cfg(cfg)
    runner.train_loop  # builds the train dataloader  # noqa: B018
    return runner


@pytest.mark.parametrize('strategy,budget,expected', [
    ('random', 0.01, round(0.01 * 64 * 128 / 2)),  # 2 rounds: half of 1% per round
    ('ppl', 10, 5),
])
def test_round_spends_exactly_the_budget(strategy, budget, expected, tiny_benchmark, tmp_path):
    runner = build_runner(tiny_benchmark, tmp_path)
    hook = ActiveSelectionHook(strategy=strategy, budget=budget, rounds=[3, 6])
    hook.before_train(runner)
    hook.run_round(runner, 0, 3)
    dataset = hook.dataset
    for idx in range(len(dataset)):
        stored = hook.store.read(dataset.key(idx))
        gt = cv2.imread(dataset.get_data_info(idx)['gt_seg_map_path'], cv2.IMREAD_UNCHANGED)
        selected = stored != 255
        assert selected.sum() == expected
        # Ground truth at the queried pixels (void answers kept as QUERIED_VOID), 255 elsewhere.
        np.testing.assert_array_equal(np.where(gt == 255, QUERIED_VOID, gt)[selected],
                                      stored[selected])
    manifest = hook.store.manifest
    assert [r['iteration'] for r in manifest['rounds']] == [3]
    assert manifest['queried_pixels'] == expected * len(dataset)

    # The second round adds the other half, never a pixel twice; the dataset serves the union.
    first = [hook.store.read(dataset.key(i)).copy() for i in range(len(dataset))]
    hook.run_round(runner, 1, 6)
    for idx in range(len(dataset)):
        stored = hook.store.read(dataset.key(idx))
        assert (stored != 255).sum() == 2 * expected
        assert np.array_equal(stored[first[idx] != 255], first[idx][first[idx] != 255])
        served = dataset[idx]['data_samples'].gt_sem_seg.data.numpy()[0]
        expected_map = np.where(stored == QUERIED_VOID, 255, stored)
        assert any(np.array_equal(served, m) for m in (expected_map, expected_map[:, ::-1]))


def test_random_draw_follows_the_runner_seed_unless_the_hook_has_one(tiny_benchmark, tmp_path):
    def draw(runner_seed, hook_seed=None):
        runner = build_runner(tiny_benchmark, tmp_path / f'{runner_seed}-{hook_seed}', runner_seed)
        hook = ActiveSelectionHook(strategy='random', budget=0.01, rounds=[3], seed=hook_seed)
        hook.before_train(runner)
        return hook.select_image(runner.model, 0, 0)[1]

    assert np.array_equal(draw(1), draw(1))
    assert not np.array_equal(draw(1), draw(2))  # seeds of a benchmark draw other pixels
    assert np.array_equal(draw(1, hook_seed=5), draw(2, hook_seed=5))


def test_round_after_max_iters_is_a_config_error(tiny_benchmark, tmp_path):
    runner = build_runner(tiny_benchmark, tmp_path)
    hook = ActiveSelectionHook(strategy='spl', budget=0.02, rounds=[5, 50])
    with pytest.raises(ValueError, match='max_iters'):
        hook.before_train(runner)


def test_unknown_strategy_and_bad_budget():
    with pytest.raises(KeyError, match='spl'):
        ActiveSelectionHook(strategy='magic')
    with pytest.raises(ValueError, match='budget'):
        ActiveSelectionHook(budget=1.5)
    with pytest.raises(ValueError, match='budget'):
        ActiveSelectionHook(budget=0)


def test_fresh_run_refuses_a_store_with_labels_and_keeps_them(tiny_benchmark, tmp_path):
    runner = build_runner(tiny_benchmark, tmp_path)
    hook = ActiveSelectionHook(strategy='random', budget=0.01, rounds=[3, 6])
    hook.before_train(runner)
    hook.run_round(runner, 0, 3)
    manifest = hook.store.manifest_path.read_bytes()
    again = build_runner(tiny_benchmark, tmp_path)  # same work_dir, starts at iteration 0
    with pytest.raises(RuntimeError, match='--resume'):
        ActiveSelectionHook(strategy='random', budget=0.01, rounds=[3, 6]).before_train(again)
    assert hook.store.manifest_path.read_bytes() == manifest
    assert hook.store.completed_rounds == [0]


def test_strategy_cfg_reaches_the_strategy(tiny_benchmark, tmp_path):
    runner = build_runner(tiny_benchmark, tmp_path)
    hook = PPLSelectionHook(budget=10, rounds=[3], boundary_radius=2)
    hook.before_train(runner)
    seen = []

    def recording(*args, **kwargs):
        seen.append(kwargs)
        return select_ppl(*args, **kwargs)

    hook.round.strategy = recording
    hook.select_image(runner.model, 0, 0)
    assert seen == [dict(labeled=seen[0]['labeled'], boundary_radius=2)]
    assert PPLSelectionHook().round.strategy_cfg == dict(boundary_radius=1)
    assert PPLSelectionHook(strategy_cfg=dict(features=None)).round.strategy_cfg == dict(
        features=None, boundary_radius=1)
    assert SPLSelectionHook().round.strategy_cfg == dict(boundary_radius=1)
    assert SPLSelectionHook(boundary_radius=0).round.strategy_cfg == dict(boundary_radius=0)


def test_bad_strategy_cfg_names_the_config_field():
    with pytest.raises(TypeError, match=r"ActiveSelectionHook\.strategy_cfg .*'spl'"):
        ActiveSelectionHook(strategy='spl', strategy_cfg=dict(radius=1))
    with pytest.raises(ValueError, match=r"PPLSelectionHook\.strategy_cfg .*boundary_radius"):
        PPLSelectionHook(boundary_radius=-1)
    with pytest.raises(ValueError, match=r"SPLSelectionHook\.strategy_cfg .*boundary_radius"):
        SPLSelectionHook(boundary_radius=1.5)
    # given twice, the hook's own argument would silently win: refused, naming both fields
    with pytest.raises(ValueError, match=r"SPLSelectionHook\.boundary_radius, not in strategy"):
        SPLSelectionHook(strategy_cfg=dict(boundary_radius=0))


@pytest.mark.parametrize('hook_cfg', [
    dict(type='SPLSelectionHook', rounds=[3, 6]),
    dict(type='PPLSelectionHook', budget=10, boundary_radius=0, rounds=[3, 6, 9]),
    dict(type='ActiveSelectionHook', strategy='random', budget=0.01, rounds=[3], seed=4),
])
def test_a_hook_config_gives_the_round_its_hook_runs(hook_cfg):
    """Tools build the round from the config without a hook; it must be the hook's round."""
    from mmseg.registry import HOOKS

    from labor_mmseg.labeling import SelectionRound
    built, direct = HOOKS.build(dict(hook_cfg)).round, SelectionRound.from_hook_cfg(hook_cfg)
    fields = ('strategy_name', 'strategy_cfg', 'budget', 'num_rounds', 'seed', 'oracle_cfg')
    assert [getattr(direct, f) for f in fields] == [getattr(built, f) for f in fields]
    assert direct.strategy is built.strategy


def test_only_the_engine_imports_the_hook_modules():
    pattern = re.compile(r'^\s*(from|import)\s+(labor_mmseg|\.+)\S*engine\.hooks', re.M)
    importers = [str(p.relative_to(REPO)) for folder in ('labor_mmseg', 'tools')
                 for p in (REPO / folder).rglob('*.py')
                 if pattern.search(p.read_text()) and 'engine' not in p.parts]
    assert importers == []


def test_a_round_that_buys_nothing_is_logged_and_training_goes_on(tiny_benchmark, tmp_path):
    """B's heads agreeing everywhere (here: a strategy that picks nothing) must not stop the
    run: the round is committed with nothing bought and logged."""
    import torch

    from labor_mmseg.labeling import LabelStore
    from labor_mmseg.registry import SELECTION_STRATEGIES

    @SELECTION_STRATEGIES.register_module(name='test_nothing', force=True)
    def select_nothing(prob1, prob2, budget, labeled=None):
        return torch.zeros(prob1.shape[1:], dtype=torch.bool)

    cfg = tiny_config('random-pixels_synth', tiny_benchmark, tmp_path)
    cfg.custom_hooks[-1].update(strategy='test_nothing', rounds=[2], vis_images=0)
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 4
    (entry,) = LabelStore.open(tmp_path / 'label_store').manifest['rounds']
    assert entry['queried'] == 0 and entry['pixels'] == 0
