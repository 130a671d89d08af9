"""The README sections between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` that the
benchmark scripts write (their results are never typed by hand)."""
from pathlib import Path


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
