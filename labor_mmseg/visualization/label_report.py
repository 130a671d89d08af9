"""A run's label report: what each round bought per class, and what it cost a person."""
import json
import os
from pathlib import Path
from typing import Any

from ..labeling.effort import SECONDS_PER_CLICK
from ..labeling.label_store import LabelStore, write_atomic

EFFORT_COLUMNS = (('images', 'images'), ('queried', 'queried pixels'),
                  ('regions', 'regions'), ('points', 'points'),
                  ('boundary_pixels', 'outline (px)'), ('vertices', 'vertices'),
                  ('clicks', 'clicks'), ('seconds', 'est. seconds'))


def effort_rows(store: LabelStore) -> list[dict[str, Any]]:
    """One row per committed round, then the run's total: images and pixels queried and the
    round's effort fields (None where the round was committed before the store had round
    maps)."""
    rows = []
    for entry in store.manifest['rounds']:
        effort = entry.get('effort')
        rows.append(dict(round=entry['round'] + 1, images=entry['images'],
                         queried=entry['queried'],
                         **{name: None if effort is None else effort.get(name)
                            for name, _ in EFFORT_COLUMNS[2:]}))
    totals = store.totals()
    total = dict(round='total', images=store.manifest.get('target_images'),
                 queried=totals['queried_pixels'],
                 **{name: None if totals['effort'] is None else totals['effort'][name]
                    for name, _ in EFFORT_COLUMNS[2:]})
    return rows + [total]


def cell(value: Any) -> str:
    """A table cell: '-' for unknown, floats with one decimal."""
    if value is None:
        return '-'
    return f'{value:.1f}' if isinstance(value, float) else str(value)


def budget_table(store: LabelStore, classes: list[str]) -> str:
    """Markdown: labeled pixels per class (rows) and round (columns), with totals."""
    rounds = store.manifest['rounds']
    head = ['class'] + [f'round {e["round"] + 1}' for e in rounds] + ['total']
    lines = ['| ' + ' | '.join(head) + ' |', '|---|' + '---:|' * (len(head) - 1)]
    for c, name in enumerate(classes):
        counts = [e['class_counts'][c] for e in rounds]
        lines.append(f'| {name} | ' + ' | '.join(map(str, counts + [sum(counts)])) + ' |')
    for label, field in (('labeled', 'pixels'), ('queried (incl. void)', 'queried')):
        counts = [e[field] for e in rounds]
        lines.append(f'| **{label}** | ' + ' | '.join(map(str, counts + [sum(counts)])) + ' |')
    return '\n'.join(lines)


def effort_table(store: LabelStore) -> str:
    """Markdown: the effort of each round and of the run (:func:`effort_rows`)."""
    lines = ['| round | ' + ' | '.join(label for _, label in EFFORT_COLUMNS) + ' |',
             '|---|' + '---:|' * len(EFFORT_COLUMNS)]
    for row in effort_rows(store):
        lines.append(f'| {row["round"]} | '
                     + ' | '.join(cell(row[name]) for name, _ in EFFORT_COLUMNS) + ' |')
    return '\n'.join(lines)


def budget_chart(store: LabelStore, classes: list[str], palette: list, path: Path) -> None:
    """Bar chart (PNG): labeled pixels per class, one stacked segment per round."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rounds = store.manifest['rounds']
    fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(classes)), 3.6))
    bottom = [0] * len(classes)
    for k, entry in enumerate(rounds):
        shade = 0.35 + 0.65 * (k + 1) / len(rounds)
        ax.bar(range(len(classes)), entry['class_counts'], bottom=bottom,
               color=[tuple(shade * v / 255 for v in palette[c]) for c in range(len(classes))],
               edgecolor='black', linewidth=0.3, label=f'round {entry["round"] + 1}')
        bottom = [b + n for b, n in zip(bottom, entry['class_counts'], strict=True)]
    ax.set_xticks(range(len(classes)), classes, rotation=60, ha='right', fontsize=7)
    ax.set_ylabel('labeled pixels')
    ax.set_title('labels bought per class (darker: earlier rounds)', fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_label_report(store: LabelStore, classes: list[str], palette: list,
                       out_dir: str | os.PathLike) -> Path:
    """Write ``report.md`` (budget per class and round; effort per round and run), the
    budget's ``budget.png`` and ``report.json`` (the same numbers) to ``out_dir``; return the
    Markdown file. The seconds are an estimate: clicks x ``SECONDS_PER_CLICK``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    budget_chart(store, classes, palette, out_dir / 'budget.png')
    text = '\n\n'.join([
        '# Labels bought', budget_table(store, classes), '![per class](budget.png)',
        '# What they cost a person (estimate)',
        f'Regions are painted as polygons: one click for the class, one per vertex; a point '
        f'is one click. Seconds = clicks x {SECONDS_PER_CLICK} s per click (Bearman et al., '
        'ECCV 2016), an estimate.', effort_table(store)]) + '\n'
    report = out_dir / 'report.md'
    write_atomic(report, text.encode())
    write_atomic(out_dir / 'report.json', json.dumps(dict(
        classes=classes, rounds=store.manifest['rounds'], effort=effort_rows(store)),
        indent=1).encode())
    return report
