"""End to end through the stock MMEngine runner on the tiny synthetic benchmark."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from .conftest import REPO, tiny_config


def test_source_only_trains_evaluates_checkpoints_and_resumes(tiny_benchmark, tmp_path):
    cfg = tiny_config('source_only_synth', tiny_benchmark, tmp_path, max_iters=4)
    cfg.default_hooks.checkpoint.interval = 2
    cfg.default_hooks.checkpoint.max_keep_ckpts = 3
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert (tmp_path / 'iter_2.pth').is_file() and (tmp_path / 'iter_4.pth').is_file()
    metrics = runner.test()
    assert 0.0 <= metrics['mIoU'] <= 100.0

    # Resume from iter 2 with weights_only loading (torch >= 2.6) and train to 6.
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    cfg = tiny_config('source_only_synth', tiny_benchmark, tmp_path, max_iters=6)
    cfg.resume = True
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 6
    assert (tmp_path / 'iter_6.pth').is_file()


def test_train_script_resume_flag(tiny_benchmark, tmp_path):
    """tools/train.py --resume, as a user runs it (a fresh process loads the checkpoint)."""
    options = [
        f'train_dataloader.dataset.data_root={tiny_benchmark}/gta/',
        f'val_dataloader.dataset.data_root={tiny_benchmark}/cityscapes/',
        f'test_dataloader.dataset.data_root={tiny_benchmark}/cityscapes/',
        'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
        'train_cfg.val_interval=100', 'default_hooks.checkpoint.interval=2',
    ]
    base = [sys.executable, str(REPO / 'tools' / 'train.py'),
            str(REPO / 'configs' / 'labor' / 'source_only_synth.py'), '--work-dir', str(tmp_path)]
    subprocess.run(base + ['--cfg-options', 'train_cfg.max_iters=2', *options], check=True,
                   cwd=tmp_path, capture_output=True)
    result = subprocess.run(
        base + ['--resume', '--cfg-options', 'train_cfg.max_iters=3', *options],
        cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'resumed' in (result.stdout + result.stderr).lower()


@pytest.mark.parametrize('method', ['spl_synth', 'ppl_synth'])
def test_labor_synthetic_config_with_one_round(method, tiny_benchmark, tmp_path):
    cfg = tiny_config(method, tiny_benchmark, tmp_path, max_iters=3)
    selection = cfg.custom_hooks[-1]
    selection.rounds = [2]
    runner = Runner.from_cfg(cfg)
    runner.train()
    manifest = json.loads((tmp_path / 'label_store' / 'manifest.json').read_text())
    assert [r['iteration'] for r in manifest['rounds']] == [2]
    labels = sorted((tmp_path / 'label_store' / 'labels').rglob('*.png'))
    assert len(labels) == 6  # every target training image got labels
    counts = [int((_read(p) != 255).sum()) for p in labels]  # queried pixels
    if method == 'ppl_synth':
        assert all(c == 40 for c in counts), counts  # 40 points per image, one round
    else:
        assert all(0 < c <= round(0.022 * 64 * 128) for c in counts)
    assert 0.0 <= runner.test()['mIoU'] <= 100.0


def _read(path: Path):
    import cv2
    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED)


class TargetBatches(Hook):
    """The target items of each train batch, as the model receives them."""

    priority = 'LOWEST'  # after every hook that changes the batch

    def __init__(self) -> None:
        self.batches: list[list] = []

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self.batches.append(list(zip(data_batch['target']['inputs'],
                                     data_batch['target']['data_samples'], strict=True)))


def test_bought_labels_reach_the_very_next_batch_from_persistent_workers(tiny_benchmark,
                                                                          tmp_path):
    """Workers start before the hook attaches the store and prefetch two batches ahead of a
    round; the round's labels must still be in the very next batch, its images unchanged."""
    cfg = tiny_config('spl_synth', tiny_benchmark, tmp_path, max_iters=3)
    cfg.train_dataloader.update(num_workers=1, persistent_workers=True)
    cfg.custom_hooks[-1].rounds = [1]
    runner = Runner.from_cfg(cfg)
    recorder = TargetBatches()
    runner.register_hook(recorder)
    runner.train()
    first, after_round = recorder.batches[0], recorder.batches[1]
    assert not any(int((s.gt_sem_seg.data != 255).sum()) for _, s in first)
    # Every target image has labels after the round (SPL buys in every image).
    assert all(int((s.gt_sem_seg.data != 255).sum()) for _, s in after_round), [
        s.img_path for _, s in after_round]
    dataset = runner.train_dataloader.dataset.target
    for inputs, sample in after_round:  # the same item and augmentation as its seed gives
        again = dataset.load(sample.dataset_index, sample.pipeline_seed)
        assert torch.equal(again['inputs'], inputs)
        assert torch.equal(again['data_samples'].gt_sem_seg.data, sample.gt_sem_seg.data)
