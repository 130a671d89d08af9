"""Run a config end to end (train, then test) from Python: used by the demo and benchmarks."""
from pathlib import Path

from mmengine.config import Config
from mmengine.runner import Runner


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


def set_aside(path: str | Path, tag: str = 'old') -> Path:
    """Rename ``path`` to the first free ``<path>.<tag>-<n>`` (nothing is deleted); return it."""
    path = Path(path)
    n = 0
    while (moved := path.with_name(f'{path.name}.{tag}-{n}')).exists():
        n += 1
    path.rename(moved)
    return moved
