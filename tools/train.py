"""Train a segmentor (LabOR / MMSegmentation 1.x) from a config file."""

import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.dist import is_main_process
from mmengine.runner import Runner
from mmseg.registry import RUNNERS

try:
    import labor_mmseg  # registers the plugin's modules
except ImportError:
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    import labor_mmseg  # noqa: F401

from labor_mmseg.labeling.label_studio import LabelStudioExportError
from labor_mmseg.labeling.label_studio_client import LabelStudioError
from labor_mmseg.utils import (
    close_dist,
    enable_amp,
    hook_cfg_options,
    init_cpu_dist,
    resume_run_options,
    run_options,
    save_run_options,
)


def parse_args() -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description='Train a segmentor')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='resume from the latest checkpoint in the work_dir automatically, with the '
        '--cfg-options, --hook-options and --amp the run was started with (recorded in '
        '<work_dir>/train_options.json); options given now go on top of them',
    )
    parser.add_argument(
        '--amp', action='store_true', help='enable automatic-mixed-precision training'
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
        '--hook-options',
        nargs='+',
        action=DictAction,
        default={},
        help='override fields of custom hooks named by type, as <HookType>.<field>=<value> '
        '(set on every hook of that type or a subclass, wherever it sits in custom_hooks)',
    )
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher',
    )
    # torch.distributed.launch passes --local-rank (torch>=2.0) or --local_rank.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    """Build the runner from the config and train."""
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    options = run_options(args.cfg_options, args.hook_options, args.amp)

    # work_dir priority: CLI > config (with the given --cfg-options) > ./work_dirs/<config name>
    work_dir = args.work_dir or options['cfg_options'].get('work_dir') or cfg.get('work_dir')
    if work_dir is None:
        work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    note = None
    if args.resume:  # the options the run was started with, the given ones on top
        try:
            options, note = resume_run_options(work_dir, options)
        except ValueError as err:
            raise SystemExit(str(err)) from None

    cfg.merge_from_dict(options['cfg_options'])
    cfg.merge_from_dict(hook_cfg_options(cfg.get('custom_hooks', []), options['hook_options']))
    cfg.work_dir = work_dir
    if options['amp']:
        enable_amp(cfg)
    cfg.resume = args.resume

    init_cpu_dist(cfg)  # no-op unless a distributed run has no GPU
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    if note is not None:
        runner.logger.info(note)
    if is_main_process():
        save_run_options(work_dir, options)  # what --resume applies again
    try:
        runner.train()
    except (LabelStudioError, LabelStudioExportError) as err:  # the checkpoint is saved
        raise SystemExit(f'{type(err).__name__}: {err}') from None
    del runner  # its DDP wrappers hold the process group
    close_dist()


if __name__ == '__main__':
    main()
