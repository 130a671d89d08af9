"""Two selection rounds from a checkpoint, in one process or under torchrun.

Run by ``test_distributed.py`` with the repository on ``PYTHONPATH``: once as a plain process
and once with ``torch.distributed.run --nproc_per_node=2``; the label stores must be identical.
"""
import argparse
import os
from pathlib import Path

from mmengine.dist import get_dist_info
from mmengine.runner import Runner

from labor_mmseg.engine import ActiveSelectionHook
from labor_mmseg.utils import close_dist, init_cpu_dist
from tests.conftest import tiny_config

STRATEGIES = ('random', 'spl')


def parse_args() -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('benchmark', type=Path, help='root of the tiny synthetic benchmark')
    parser.add_argument('checkpoint', help='model checkpoint to select with')
    parser.add_argument('work_dir', type=Path, help='one store per strategy is made under it')
    return parser.parse_args()


def select(strategy: str, args: argparse.Namespace) -> None:
    """Rounds 1 and 2 of ``strategy`` into ``<work_dir>/<strategy>/label_store``."""
    cfg = tiny_config('spl_synth', args.benchmark, args.work_dir / strategy, max_iters=2)
    cfg.custom_hooks = []
    cfg.load_from = args.checkpoint
    cfg.experiment_name = f'selection_{strategy}'
    cfg.launcher = 'pytorch' if 'RANK' in os.environ else 'none'
    init_cpu_dist(cfg)
    runner = Runner.from_cfg(cfg)
    runner.load_or_resume()
    runner.train_loop  # builds the train dataloader  # noqa: B018
    if get_dist_info()[0] > 0:
        # Training with broadcast_buffers=False leaves rank-local BN statistics: the round must
        # score with rank 0's (those its checkpoints hold), whatever the other ranks have.
        for name, buffer in runner.model.named_buffers():
            if name.endswith('running_var'):
                buffer.mul_(2.0)
    hook = ActiveSelectionHook(strategy=strategy, budget=0.02, rounds=[1, 2], seed=3)
    hook.before_train(runner)
    hook.run_round(runner, 0, 1)
    hook.run_round(runner, 1, 2)


def main() -> None:
    """Select with every strategy."""
    args = parse_args()
    for strategy in STRATEGIES:
        select(strategy, args)
    close_dist()


if __name__ == '__main__':
    main()
