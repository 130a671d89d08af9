"""MMSeg's own shipped tools run LabOR configs unchanged: train (--amp, --resume) and test."""
import os
import runpy
import subprocess
import sys
from pathlib import Path

import mmseg
import torch

from tests.conftest import REPO

MMSEG_TOOLS = Path(mmseg.__file__).parent / '.mim' / 'tools'
CONFIG = 'spl_early.py'  # in user_dir
OPTIONS = [
    'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
    'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False',
    'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
    'train_cfg.val_interval=100', 'default_hooks.checkpoint.interval=2',
    'default_hooks.logger.interval=1',
]


def user_dir(tmp_path: Path, benchmark: Path) -> Path:
    """A directory laid out as a user's: the configs' ``data/synthetic`` is the tiny benchmark,
    and ``spl_early.py`` is LabOR-SPL with its selection round at iteration 2 (MMSeg's script
    has no ``--hook-options``; a user's config sets its hooks)."""
    (tmp_path / 'data').mkdir()
    (tmp_path / 'data' / 'synthetic').symlink_to(benchmark)
    (tmp_path / 'spl_early.py').write_text(
        f"_base_ = ['{REPO / 'configs' / 'labor' / 'spl_synth.py'}']\n"
        "custom_hooks = [dict(type='DiscrepancyLossHook', weight=1.0, warmup_iters=100),\n"
        "                dict(type='SPLSelectionHook', budget=0.022, rounds=[2])]\n")
    return tmp_path


def run_tool(tool: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, str(MMSEG_TOOLS / tool), *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_mmseg_train_resume_and_test_scripts(tiny_benchmark, tmp_path):
    """MMSeg's tools/train.py trains a LabOR config with a selection round, --resume goes on
    from its checkpoint, and MMSeg's tools/test.py evaluates the result."""
    cwd = user_dir(tmp_path, tiny_benchmark)
    work = str(tmp_path / 'work')
    first = run_tool('train.py', [CONFIG, '--work-dir', work, '--cfg-options',
                                  'train_cfg.max_iters=2', *OPTIONS], cwd)
    assert first.returncode == 0, first.stderr[-3000:]
    assert (tmp_path / 'work' / 'label_store' / 'manifest.json').is_file()
    resumed = run_tool('train.py', [CONFIG, '--work-dir', work, '--resume', '--cfg-options',
                                    'train_cfg.max_iters=4', *OPTIONS], cwd)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert 'resumed' in (resumed.stdout + resumed.stderr).lower()
    assert (tmp_path / 'work' / 'iter_4.pth').is_file()
    tested = run_tool('test.py', [CONFIG, str(tmp_path / 'work' / 'iter_4.pth'), '--work-dir',
                                  work, '--cfg-options', *OPTIONS], cwd)
    assert tested.returncode == 0, tested.stderr[-3000:]
    assert 'mIoU' in tested.stdout + tested.stderr


def test_mmseg_train_script_amp(tiny_benchmark, tmp_path, monkeypatch, amp_on_cpu):
    """MMSeg's tools/train.py --amp sets ``optim_wrapper.type``; every child of LabOR then
    trains under an AmpOptimWrapper (its checkpointed state holds a loss scaler)."""
    monkeypatch.chdir(user_dir(tmp_path, tiny_benchmark))
    work = tmp_path / 'work'
    monkeypatch.setattr(sys, 'argv', [
        'train.py', CONFIG, '--amp', '--work-dir', str(work), '--cfg-options',
        'train_cfg.max_iters=2', *OPTIONS])
    runpy.run_path(str(MMSEG_TOOLS / 'train.py'), run_name='__main__')
    state = torch.load(work / 'iter_2.pth', map_location='cpu', weights_only=False)['optimizer']
    assert set(state) == {'segmentor', 'discriminator', 'selector'}
    assert all('loss_scaler' in child for child in state.values())
