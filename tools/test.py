"""Test (and evaluate) a segmentor checkpoint (LabOR / MMSegmentation 1.x)."""

import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.runner import Runner
from mmseg.registry import RUNNERS

try:
    import labor_mmseg  # registers the plugin's modules
except ImportError:
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    import labor_mmseg  # noqa: F401

from labor_mmseg.utils import close_dist, init_cpu_dist


def parse_args() -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description='Test (and eval) a segmentor')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir', help='the dir to save logs and the evaluation metrics (as json)'
    )
    parser.add_argument(
        '--out', help='the dir to save the output predictions for offline evaluation'
    )
    parser.add_argument('--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='dir to save painted predictions in (<show_dir>/vis_data/vis_image)',
    )
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of --show (seconds)'
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as key=value pairs merged into it; a list '
        'value is given as key="[a,b]" or key=a,b, nested ones as key="[(a,b),(c,d)]" '
        '(quotes needed, no white space)',
    )
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher',
    )
    parser.add_argument('--tta', action='store_true', help='test-time augmentation')
    # torch.distributed.launch passes --local-rank (torch>=2.0) or --local_rank.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def enable_visualization(cfg: Config, args: argparse.Namespace) -> None:
    """Turn on the config's visualization hook for ``--show`` / ``--show-dir``."""
    hook = cfg.default_hooks.get('visualization')
    if hook is None:
        raise RuntimeError(
            '--show/--show-dir need a visualization hook in default_hooks, e.g. '
            "visualization=dict(type='SegVisualizationHook')"
        )
    hook.draw = True
    if args.show:
        hook.show = True
        hook.wait_time = args.wait_time
    if args.show_dir:
        cfg.visualizer.save_dir = args.show_dir


def main() -> None:
    """Build the runner from the config, load the checkpoint and test."""
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)

    # work_dir priority: CLI > config > ./work_dirs/<config name>
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])

    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        enable_visualization(cfg, args)
    if args.tta:
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model
    if args.out is not None:
        cfg.test_evaluator.output_dir = args.out
        cfg.test_evaluator.keep_results = True

    init_cpu_dist(cfg)  # no-op unless a distributed run has no GPU
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    runner.test()
    del runner  # its DDP wrappers hold the process group
    close_dist()


if __name__ == '__main__':
    main()
