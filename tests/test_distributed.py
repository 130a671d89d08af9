"""Two CPU ranks (torchrun + gloo): training runs, and selection matches a single process."""
import json
import os
import shutil
import socket
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
import torch
import torch.distributed as torch_dist
from mmseg.registry import MODELS
from torch.nn.parallel import DistributedDataParallel

from labor_mmseg.utils import close_dist

from .conftest import REPO, tiny_config

TIMING = ('time', 'duration', 'seconds')  # manifest fields that may differ between runs


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run(args: list[str], cwd: Path, nproc: int = 1) -> None:
    """Run a Python script (under torchrun with ``nproc`` ranks when > 1); fail with its log."""
    launcher = ['-m', 'torch.distributed.run', f'--nproc_per_node={nproc}',
                f'--master_port={free_port()}'] if nproc > 1 else []
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, *launcher, *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]


@pytest.mark.parametrize('config', ['spl_synth', 'spl-st_synth'])
def test_torchrun_two_cpu_ranks_train_with_a_selection_round(config, tiny_benchmark, tmp_path):
    options = [f'{loader}_dataloader.{key}'
               for loader in ('train', 'val', 'test')
               for key in ('num_workers=0', 'persistent_workers=False', 'batch_size=1')]
    options += [
        f'train_dataloader.dataset.source.data_root={tiny_benchmark}/gta/',
        f'train_dataloader.dataset.target.dataset.data_root={tiny_benchmark}/cityscapes/',
        f'val_dataloader.dataset.data_root={tiny_benchmark}/cityscapes/',
        f'test_dataloader.dataset.data_root={tiny_benchmark}/cityscapes/',
        'train_cfg.max_iters=4', 'train_cfg.val_interval=100',
    ]
    run([str(REPO / 'tools' / 'train.py'), str(REPO / 'configs' / 'labor' / f'{config}.py'),
         '--launcher', 'pytorch', '--work-dir', str(tmp_path), '--cfg-options', *options,
         '--hook-options', 'SPLSelectionHook.rounds=[2]'], cwd=tmp_path, nproc=2)
    store = tmp_path / 'label_store'
    manifest = json.loads((store / 'manifest.json').read_text())
    assert [r['iteration'] for r in manifest['rounds']] == [2]
    assert manifest['rounds'][0]['images'] == 6
    assert len(list((store / 'labels').rglob('*.png'))) == 6  # every target training image
    assert (tmp_path / 'iter_4.pth').is_file()
    state = torch.load(tmp_path / 'iter_4.pth', map_location='cpu')['state_dict']
    # With self-training the teacher (no DDP of its own: nothing to reduce) is saved too.
    assert ('self_training.teacher.steps' in state) == (config == 'spl-st_synth')
    if config == 'spl-st_synth':
        assert int(state['self_training.teacher.steps']) == 4


RANK_SCRIPT = """
import json, os, sys
import mmcv
import torch.distributed as torch_dist
import labor_mmseg  # noqa: F401
from labor_mmseg.datasets.build import build_dataset
from labor_mmseg.datasets.rare_class_sampling import RareClassSampling
torch_dist.init_process_group('gloo')
reads, imread = [], mmcv.imread
mmcv.imread = lambda path, **kw: reads.append(path) or imread(path, **kw)
source = build_dataset(dict(type='GTADataset', data_root=sys.argv[1], pipeline=[]), 'source')
sampling = RareClassSampling(source, 19, min_pixels=20)
rank = os.environ['RANK']
with open(f'rank{rank}.json', 'w') as f:
    json.dump({'reads': len(reads), 'class_prob': sampling.class_prob.tolist()}, f)
torch_dist.destroy_process_group()
"""


def test_rare_class_counts_are_read_by_one_rank_per_node(tiny_benchmark, tmp_path):
    data = tmp_path / 'gta'
    shutil.copytree(tiny_benchmark / 'gta', data,
                    ignore=shutil.ignore_patterns('rare_class_counts.json'))  # other tests'
    (tmp_path / 'count.py').write_text(RANK_SCRIPT)
    run([str(tmp_path / 'count.py'), str(data)], cwd=tmp_path, nproc=2)
    first, second = (json.loads((tmp_path / f'rank{r}.json').read_text()) for r in (0, 1))
    assert first['reads'] == len(list((data / 'labels').rglob('*.png'))) > 0
    assert second['reads'] == 0  # it waited for the first rank's file and read that
    assert second['class_prob'] == first['class_prob']


def test_close_dist_frees_the_process_group(tmp_path):
    torch_dist.init_process_group('gloo', init_method=f'file://{tmp_path}/store', rank=0,
                                  world_size=1)
    group = weakref.ref(torch_dist.distributed_c10d._get_default_group())
    runner = [DistributedDataParallel(torch.nn.Linear(2, 2))]  # DDP holds the group
    runner.append(runner)  # a reference cycle, as in a Runner: only the collector frees it
    del runner
    close_dist()
    assert not torch_dist.is_initialized()
    assert group() is None  # its gloo threads end now, not in the interpreter's teardown
    close_dist()  # no group: nothing to do


def test_two_rank_selection_equals_single_process(tiny_benchmark, tmp_path):
    cfg = tiny_config('spl_synth', tiny_benchmark, tmp_path)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    checkpoint = tmp_path / 'model.pth'
    torch.save({'state_dict': model.state_dict()}, checkpoint)

    script = str(REPO / 'tests' / 'dist_selection_script.py')
    for name, nproc in (('single', 1), ('dist', 2)):
        run([script, str(tiny_benchmark), str(checkpoint), str(tmp_path / name)], tmp_path, nproc)

    for strategy in ('random', 'spl'):
        single, dist = (tmp_path / name / strategy / 'label_store' for name in ('single', 'dist'))
        labels = sorted(p.relative_to(single) for p in (single / 'labels').rglob('*.png'))
        assert len(labels) == 6, strategy
        assert labels == sorted(p.relative_to(dist) for p in (dist / 'labels').rglob('*.png'))
        for path in labels:
            assert (single / path).read_bytes() == (dist / path).read_bytes(), (strategy, path)
        rounds = [_rounds(store) for store in (single, dist)]
        assert len(rounds[0]) == 2 and rounds[0] == rounds[1], strategy


def _rounds(store: Path) -> list[dict]:
    """The manifest's rounds without timing fields."""
    rounds = json.loads((store / 'manifest.json').read_text())['rounds']
    return [{k: v for k, v in r.items() if not any(t in k for t in TIMING)} for r in rounds]
