"""tools/analysis/selection_quality.py: counts of what each strategy picks."""
import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.runner import Runner
from mmseg.registry import HOOKS, MODELS

from .conftest import REPO, load_script, tiny_config

SCRIPT = REPO / 'tools' / 'analysis' / 'selection_quality.py'


@pytest.fixture(scope='module')
def quality():
    return load_script('tools/analysis/selection_quality.py')


def test_count_by_hand(quality):
    gt = np.array([[0, 0, 1, 1], [0, 255, 1, 1]], dtype=np.uint8)
    pred = np.array([[0, 1, 1, 1], [0, 0, 0, 1]])
    boundary = quality.boundary_mask(gt, radius=0)
    assert not boundary.any()  # radius 0: no neighbourhood, no boundary
    boundary = quality.boundary_mask(gt, radius=1)
    assert boundary[0, 1] and not boundary[0, 3]  # next to class 1 / only class 1 around
    tally = quality.new_tally(num_classes=3)
    mask = np.array([[False, True, False, True], [False, True, True, False]])
    quality.count(tally, mask, gt, pred, np.zeros_like(boundary))
    result = quality.summary(tally)
    # Picks: (0,1) class 0 wrong, (0,3) class 1 right, (1,1) void, (1,2) class 1 wrong.
    assert result['pixels'] == 4 and result['void'] == 0.25
    assert result['a_wrong'] == pytest.approx(2 / 3)
    assert result['near_boundary'] == 0
    assert result['class_counts'] == [1, 2, 0] and result['classes_covered'] == 2


def test_count_classes_by_hand(quality):
    gt = np.array([[0, 0, 1, 1], [0, 255, 1, 1]], dtype=np.uint8)
    pred = np.array([[0, 1, 1, 1], [1, 0, 0, 1]])  # A: class 0 wrong twice, class 1 once
    b_pred = np.array([[1, 1, 1, 1], [1, 1, 1, 1]])  # B: always class 1
    inconsistent = np.array([[False, True, False, False], [False, True, True, False]])
    tally = {key: np.zeros(3, np.int64) for key in quality.CLASS_COUNTS}
    quality.count_classes(tally, gt, pred, b_pred, inconsistent)
    result = quality.class_summary(tally, ('a', 'b', 'c'))
    assert list(result) == ['a', 'b']  # class c has no pixels; the void pixel counts nowhere
    assert result['a'] == dict(pixels=3, inconsistent=pytest.approx(1 / 3),
                               a_wrong=pytest.approx(2 / 3), a_errors_outside_mask=0.5,
                               b_wrong=1.0)
    assert result['b'] == dict(pixels=4, inconsistent=0.25, a_wrong=0.25,
                               a_errors_outside_mask=0.0, b_wrong=0.0)


def test_script_on_a_checkpoint(tiny_benchmark, tmp_path):
    cfg = tiny_config('spl_synth', tiny_benchmark, tmp_path)
    config = tmp_path / 'cfg.py'
    cfg.dump(str(config))
    model = MODELS.build(cfg.model)
    checkpoint = tmp_path / 'model.pth'
    torch.save({'state_dict': model.state_dict()}, checkpoint)
    out = tmp_path / 'quality.json'
    proc = subprocess.run([sys.executable, str(SCRIPT), str(config), str(checkpoint), '--every',
                           '2', '--strategies', 'spl', 'random', '--out', str(out)],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text())
    results = report['picks']
    assert list(results) == ['all pixels', 'spl', 'random']
    images, pixels = 3, 64 * 128  # images 0, 2, 4 of 6
    assert results['all pixels']['pixels'] == images * pixels
    share = round(0.022 * pixels) // 5  # one round of the 2.2% budget
    assert results['random']['pixels'] == images * share
    assert 0 < results['spl']['pixels'] <= images * share
    assert '| spl |' in proc.stdout
    per_class = report['classes']
    non_void = images * pixels * (1 - results['all pixels']['void'])
    assert sum(r['pixels'] for r in per_class.values()) == pytest.approx(non_void)
    assert all(0 <= r[k] <= 1 for r in per_class.values()
               for k in ('inconsistent', 'a_wrong', 'a_errors_outside_mask', 'b_wrong'))
    assert "| A's errors outside the mask |" in proc.stdout


def test_missing_checkpoint_is_named(tmp_path):
    missing = tmp_path / 'none.pth'
    proc = subprocess.run([sys.executable, str(SCRIPT), 'configs/labor/spl_synth.py',
                           str(missing)], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode != 0 and str(missing) in proc.stderr


def test_the_hooks_strategy_gets_the_hooks_options(quality, tiny_benchmark, tmp_path):
    cfg = tiny_config('ppl_synth', tiny_benchmark, tmp_path)
    cfg.merge_from_dict({'custom_hooks.1.boundary_radius': 3})
    rounds = quality.strategy_rounds(cfg, ['ppl', 'spl', 'random'])
    assert rounds['ppl'].strategy_cfg == {'boundary_radius': 3} and rounds['spl'].strategy_cfg == {}
    assert {r.budget for r in rounds.values()} == {40}


def test_the_random_column_draws_what_training_draws(quality, tiny_benchmark, tmp_path):
    """Round 1 of a training run with random pixels, and the tool's random picks: the same."""
    cfg = tiny_config('spl_synth', tiny_benchmark, tmp_path, max_iters=2)
    cfg.randomness = dict(seed=7)
    cfg.custom_hooks = [dict(type='ActiveSelectionHook', strategy='random', budget=0.01,
                             rounds=[1, 2])]
    runner = Runner.from_cfg(cfg)
    runner.train_loop  # noqa: B018  (builds the train dataloader)
    hook = HOOKS.build(dict(cfg.custom_hooks[0]))
    hook.before_train(runner)
    hook.run_round(runner, 0, 1)
    rounds = quality.strategy_rounds(cfg, ['random'])
    dataset = hook.dataset
    for idx in range(len(dataset)):
        bought = hook.store.read(dataset.key(idx)) != 255
        probe = torch.full((2, *bought.shape), 0.5)
        drawn = rounds['random'].select(probe, probe, 0, idx).numpy()
        np.testing.assert_array_equal(drawn, bought)

