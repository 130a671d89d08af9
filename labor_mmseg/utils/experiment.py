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


def readme_section(readme: str | Path, name: str) -> tuple[str, str, str]:
    """``(before, section, after)``: the text of ``readme`` split at ``<!-- BEGIN name -->`` and
    ``<!-- END name -->`` (markers excluded); ValueError naming the file if a marker is missing."""
    path = Path(readme)
    content = path.read_text()
    begin, end = f'<!-- BEGIN {name} -->', f'<!-- END {name} -->'
    if begin not in content or end not in content:
        raise ValueError(f'{path}: markers {begin} ... {end} not found')
    head, rest = content.split(begin, 1)
    section, tail = rest.split(end, 1)
    return head, section, tail


def update_readme_section(readme: str | Path, name: str, text: str) -> None:
    """Replace what stands between ``<!-- BEGIN name -->`` and ``<!-- END name -->``."""
    head, _, tail = readme_section(readme, name)
    Path(readme).write_text(
        f'{head}<!-- BEGIN {name} -->\n{text.strip()}\n<!-- END {name} -->{tail}')
