"""Run a config end to end (train, then test) from Python: used by the demo and benchmarks."""
import time
from pathlib import Path

from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from torch.nn.modules.batchnorm import _BatchNorm

from .hook_options import hook_cfg_options

# The short run with one selection round that checks a model as A (the suite's zoo tests and
# tools/analysis/zoo_check.py): a round after iteration ROUND of CHECK_ITERS.
ROUND, CHECK_ITERS = 2, 4


def train_and_test(config: str | Path, work_dir: str | Path, cfg_options: dict | None = None,
                   resume: bool = False) -> dict[str, float]:
    """Train ``config`` into ``work_dir`` and return the test metrics of the final model."""
    cfg = Config.fromfile(str(config))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.work_dir = str(work_dir)
    cfg.resume = resume
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner.test()


def small_run(cfg: Config, data_root: str | Path, work_dir: str | Path,
              max_iters: int = 4) -> Config:
    """``cfg`` (a synthetic-benchmark config) made a short CPU run: its data read from
    ``data_root`` (a benchmark made by ``generate_synthetic_benchmark``, any size), batches of 2
    without worker processes, ``max_iters`` iterations validated once at the end, a log line
    per iteration, the schedule ending with the run. For tests and checks, not results."""
    cfg.work_dir = str(work_dir)
    for loader in (cfg.train_dataloader, cfg.val_dataloader, cfg.test_dataloader):
        loader.num_workers = 0
        loader.persistent_workers = False
        loader.batch_size = 2
        _point_at(loader.dataset, str(data_root))
    cfg.train_cfg.max_iters = max_iters
    cfg.train_cfg.val_interval = max_iters
    cfg.default_hooks.checkpoint.interval = max_iters
    cfg.default_hooks.logger.interval = 1
    for scheduler in cfg.param_scheduler:
        scheduler.end = max_iters
    cfg.launcher = 'none'
    return cfg


class StepRecorder(Hook):
    """Each train iteration's duration (s) and outputs (losses and logged values, as floats)."""

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.outputs: list[dict[str, float]] = []

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self.start = time.perf_counter()

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self.seconds.append(time.perf_counter() - self.start)
        self.outputs.append({k: float(v) for k, v in (outputs or {}).items()})


def round_check_run(cfg: Config, data_root: str | Path, work_dir: str | Path,
                    recorder: StepRecorder | None = None) -> tuple[Runner, StepRecorder]:
    """The runner of :func:`small_run` of ``cfg`` for ``CHECK_ITERS`` iterations with one
    selection round after iteration ``ROUND`` (no overlay images, a one-iteration discrepancy
    warm-up; hooks named by type), and the ``recorder`` it carries (a new
    :class:`StepRecorder` by default). Train it with ``runner.train()``.

    Every batch norm of the model keeps the plain average of the batch statistics it has seen
    (``momentum=None``): with a model's own momentum (MMSeg's 0.1) two iterations leave the
    running statistics near their initial values, and a from-scratch model's eval-mode
    features, which the round scores, near constant, so B's heads would agree everywhere for
    a reason no real run has."""
    cfg = small_run(cfg, data_root, work_dir, CHECK_ITERS)
    cfg.merge_from_dict(hook_cfg_options(cfg.custom_hooks, {
        'ActiveSelectionHook.rounds': [ROUND], 'ActiveSelectionHook.vis_images': 0,
        'DiscrepancyLossHook.warmup_iters': 1}))
    runner = Runner.from_cfg(cfg)
    for module in runner.model.modules():
        if isinstance(module, _BatchNorm):
            module.momentum = None
    recorder = recorder or StepRecorder()
    runner.register_hook(recorder)
    return runner, recorder


def target_losses(outputs: dict[str, float]) -> list[str]:
    """The target losses of A among a train step's ``outputs`` that need target labels: every
    ``tgt.*loss*`` but the adversarial one, whatever the heads name them."""
    return [k for k in outputs if k.startswith('tgt.') and 'loss' in k and k != 'tgt.loss_adv']


def _point_at(dataset: dict, root: str) -> None:
    """Replace the default ``data/synthetic`` roots of a (nested) dataset config by ``root``."""
    if 'data_root' in dataset:
        dataset.data_root = dataset.data_root.replace('data/synthetic', root)
    for key in ('dataset', 'source', 'target'):
        if key in dataset:
            _point_at(dataset[key], root)


def set_aside(path: str | Path, tag: str = 'old') -> Path:
    """Rename ``path`` to the first free ``<path>.<tag>-<n>`` (nothing is deleted); return it."""
    path = Path(path)
    n = 0
    while (moved := path.with_name(f'{path.name}.{tag}-{n}')).exists():
        n += 1
    path.rename(moved)
    return moved
