"""The README sections between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` that the
benchmark scripts write (their results are never typed by hand), and the one place that decides
which file holds each section.

Results live where MMSeg keeps an algorithm's results, ``configs/labor/README.md`` (tables,
curves, ablations, cost, on paper); the top-level README holds only the headline table.
"""
import os
from pathlib import Path

RESULTS_README = Path('configs') / 'labor' / 'README.md'  # every section but the headline
TOP_README = Path('README.md')
HEADLINE = 'label_efficiency_headline'  # label_efficiency.py's short table
TOP_SECTIONS = frozenset({HEADLINE})  # sections of the top-level README


def miou_text(row: dict) -> str:
    """A row's mean mIoU, with its std over seeds where there are several (one has none)."""
    return f'{row["mean"]:.2f} ± {row["std"]:.2f}' if row['seeds'] > 1 else f'{row["mean"]:.2f}'


def section_file(repo: str | Path, name: str) -> Path:
    """The file under ``repo`` that holds section ``name``: the top-level README for the
    headline, ``configs/labor/README.md`` for every other section."""
    return Path(repo) / (TOP_README if name in TOP_SECTIONS else RESULTS_README)


def link(repo: str | Path, name: str, target: str) -> str:
    """``target`` (a path relative to ``repo``, e.g. ``benchmarks/x.png``) as a link that
    resolves from the file holding section ``name``."""
    return Path(os.path.relpath(Path(repo) / target, section_file(repo, name).parent)).as_posix()


def readme_section(readme: str | Path, name: str) -> tuple[str, str, str]:
    """``(before, section, after)``: the text of ``readme`` split at ``<!-- BEGIN name -->`` and
    ``<!-- END name -->`` (markers excluded); ValueError naming the file if a marker is missing."""
    path = Path(readme)
    content = path.read_text() if path.is_file() else ''
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


def check_section(repo: str | Path, name: str) -> None:
    """ValueError naming the file when section ``name``'s markers are missing (a script checks
    before it trains, not after hours of training)."""
    readme_section(section_file(repo, name), name)


def update_section(repo: str | Path, name: str, text: str) -> None:
    """Write section ``name`` into the file of :func:`section_file`."""
    update_readme_section(section_file(repo, name), name, text)
