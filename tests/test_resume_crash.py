"""Crash safety: SIGKILL a LabOR run between selection rounds and in the middle of one, resume
with ``tools/train.py --resume``: no label is lost, bought twice or counted twice, and the label
store ends byte-identical to that of an uninterrupted run. What resuming reads is pickle-free
(label store) or loaded with ``weights_only`` and an allow-list (checkpoints)."""
import json
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.runner import Runner

from labor_mmseg.labeling import LabelStore
from labor_mmseg.selection import budget_in_pixels
from labor_mmseg.utils.safe_load import history_buffer_method

from .conftest import REPO, tiny_config

ROUNDS = [2, 4]
BUDGET = 0.02
IMAGES, PIXELS = 6, 64 * 128  # the tiny benchmark's target training set


def crash_config(tiny_benchmark: Path, work_dir: Path, strategy: str) -> Config:
    """Two rounds at iterations 2 and 4 of 6, a checkpoint at every round's iteration."""
    cfg = tiny_config('spl_synth', tiny_benchmark, work_dir, max_iters=6)
    cfg.default_hooks.checkpoint.update(interval=2, max_keep_ckpts=-1)
    cfg.custom_hooks[-1] = dict(type='ActiveSelectionHook', strategy=strategy, budget=BUDGET,
                                rounds=ROUNDS, seed=1)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    return cfg


def write_config(tiny_benchmark: Path, work_dir: Path, strategy: str) -> Path:
    """:func:`crash_config` as a file for ``tools/train.py``."""
    path = work_dir.parent / f'{work_dir.name}.py'
    crash_config(tiny_benchmark, work_dir, strategy).dump(str(path))
    return path


def train(config: Path, work_dir: Path, *options: str,
          kill: tuple[str, int] | None = None) -> subprocess.CompletedProcess:
    """``tools/train.py config`` in a fresh process, or the crash script killing it at ``kill``."""
    script = [str(REPO / 'tools' / 'train.py')]
    if kill is not None:
        script = [str(REPO / 'tests' / 'crash_train_script.py'), f'--{kill[0]}', str(kill[1]),
                  '--']
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, *script, str(config), '--work-dir', str(work_dir),
                           *options], cwd=work_dir.parent, env=env, capture_output=True,
                          text=True, timeout=300)


def open_store(work_dir: Path) -> LabelStore:
    """The run's label store, opened as a resumed run opens it."""
    root = work_dir / 'label_store'
    return LabelStore(root, json.loads((root / 'manifest.json').read_text())['dataset'])


@pytest.fixture(scope='module')
def uninterrupted(tiny_benchmark, tmp_path_factory) -> Callable[[str], Path]:
    """The work dir of an uninterrupted run of a strategy (trained in this process on first use)."""
    runs: dict[str, Path] = {}

    def run(strategy: str) -> Path:
        if strategy not in runs:
            work_dir = tmp_path_factory.mktemp(f'uninterrupted_{strategy}')
            Runner.from_cfg(crash_config(tiny_benchmark, work_dir, strategy)).train()
            runs[strategy] = work_dir
        return runs[strategy]
    return run


def label_files(work_dir: Path) -> dict[str, bytes]:
    """Every label PNG of the run's store by relative path, as bytes."""
    labels = work_dir / 'label_store' / 'labels'
    return {p.relative_to(labels).as_posix(): p.read_bytes() for p in labels.rglob('*.png')}


def test_reopened_store_finds_the_labels_of_an_uncommitted_round(tmp_path):
    signature = {'type': 'CityscapesDataset', 'num_images': 2}
    store = LabelStore(tmp_path, signature)
    first = np.full((4, 4), 255, np.uint8)
    first[0, :2] = 3
    store.add('a', first)
    store.commit_round(0, 10, {})
    second = np.full((4, 4), 255, np.uint8)
    second[1, 0] = 5
    queried = second != 255
    queried[1, 1] = True  # answered void
    store.add('a', second, queried)
    store.add('b', second, queried)
    del store  # killed before the commit
    store = LabelStore(tmp_path, signature)
    assert store.completed_rounds == [0] and store.uncommitted == {'a': 2, 'b': 2}
    assert store.labeled_pixels == 4  # 2 committed + 1 in each image since
    store.commit_round(1, 20, {})
    entry = store.manifest['rounds'][1]
    assert (entry['pixels'], entry['queried'], entry['images']) == (2, 4, 2)
    assert store.manifest['queried_per_image'] == {'a': 4, 'b': 2}
    assert not LabelStore(tmp_path, signature).uncommitted


@pytest.mark.parametrize('strategy', ['random', 'spl'])
def test_killed_between_and_during_rounds_resumes_to_the_same_store(strategy, uninterrupted,
                                                                    tiny_benchmark, tmp_path):
    reference = uninterrupted(strategy)
    expected = open_store(reference).manifest
    assert [r['iteration'] for r in expected['rounds']] == ROUNDS

    work_dir = tmp_path / 'crashed'
    config = write_config(tiny_benchmark, work_dir, strategy)
    # (a) Killed after iteration 3: round 1 (iter 2) committed, round 2 (iter 4) not started.
    result = train(config, work_dir, kill=('kill-after-iter', 3))
    assert result.returncode == -signal.SIGKILL, result.stderr[-3000:]
    store = open_store(work_dir)
    assert store.completed_rounds == [0] and not store.uncommitted
    assert store.manifest['rounds'] == expected['rounds'][:1]
    assert not (work_dir / 'iter_4.pth').exists()

    # (b) Resumed from iter 2, killed while writing the 3rd label file of round 2: two images
    # hold their round-2 answers, uncommitted; the third write left a half-written temp file.
    result = train(config, work_dir, '--resume', kill=('kill-in-label-write', 3))
    assert result.returncode == -signal.SIGKILL, result.stderr[-3000:]
    assert 'resumed epoch: 0, iter: 2' in result.stdout + result.stderr
    store = open_store(work_dir)
    assert store.completed_rounds == [0]
    assert store.manifest['queried_pixels'] == expected['rounds'][0]['queried']
    assert len(store.uncommitted) == 2
    assert len(list((work_dir / 'label_store').rglob('*.tmp'))) == 1
    files, final = label_files(work_dir), label_files(reference)
    for key in store.uncommitted:  # already as the uninterrupted run leaves them
        assert files[f'{key}.png'] == final[f'{key}.png']

    # Resumed from iter 4 (saved before its round): round 2 is completed, not redone.
    result = train(config, work_dir, '--resume')
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert 'resumed epoch: 0, iter: 4' in log and 'selection round 2 at iter 4' in log
    assert (work_dir / 'iter_6.pth').is_file()
    store = open_store(work_dir)
    # rounds, counts, budget spent, per-image records; each run has an id of its own
    assert store.manifest == {**expected, 'run_id': store.run_id} != expected
    assert label_files(work_dir) == final
    assert not store.uncommitted
    spent = store.manifest['queried_pixels']
    if strategy == 'random':  # every round buys exactly its share of every image's budget
        assert spent == budget_in_pixels(BUDGET, PIXELS) * IMAGES
    else:  # SPL stops at the inconsistent pixels
        assert 0 < spent <= budget_in_pixels(BUDGET, PIXELS) * IMAGES


def test_label_store_is_png_and_json_only(uninterrupted):
    store = uninterrupted('random') / 'label_store'
    files = [p for p in store.rglob('*') if p.is_file() and p.name != 'store.lock']
    assert {p.suffix for p in files} == {'.png', '.json'}, files
    assert (store / 'store.lock').read_text() == ''  # the lock's holder text: free after the run
    assert all(p.read_bytes().startswith(b'\x89PNG\r\n\x1a\n') for p in files if p.suffix == '.png')
    manifest = json.loads((store / 'manifest.json').read_text())
    assert manifest['version'] == 3 and len(manifest['rounds']) == len(ROUNDS)


class StatisticsMethod:
    """Pickles as ``getattr(HistoryBuffer, name)``, as MMEngine's message hub does."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __reduce__(self):
        return getattr, (HistoryBuffer, self.name)


def test_checkpoints_load_with_weights_only_and_an_allow_list(uninterrupted, tmp_path):
    checkpoint = uninterrupted('random') / 'iter_2.pth'
    # labor_mmseg is imported: the runner's checkpoint loads with weights_only=True.
    loaded = torch.load(checkpoint, weights_only=True)
    assert loaded['meta']['iter'] == 2 and loaded['message_hub']['log_scalars']
    # A process that has not imported labor_mmseg refuses it: weights_only stays on.
    result = subprocess.run([sys.executable, '-c', 'import sys, torch; torch.load(sys.argv[1])',
                             str(checkpoint)], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert result.returncode != 0 and 'Unsupported global: GLOBAL mmengine' in result.stderr
    # getattr is allowed for HistoryBuffer's statistics methods only.
    path = tmp_path / 'getattr.pth'
    torch.save({'ok': StatisticsMethod('mean')}, path)
    assert torch.load(path, weights_only=True)['ok'] is HistoryBuffer.mean
    torch.save({'bad': StatisticsMethod('__init__')}, path)
    with pytest.raises(pickle.UnpicklingError, match=r'getattr\(.*HistoryBuffer.*__init__'):
        torch.load(path, weights_only=True)
    with pytest.raises(pickle.UnpicklingError, match='only HistoryBuffer'):
        history_buffer_method(os, 'system')
