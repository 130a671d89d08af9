"""A run's label report: what each round bought per class, and what it cost a person."""
import json
import os
from pathlib import Path
from typing import Any

from ..labeling.effort import RELABEL_CLICKS, SECONDS_PER_CHECK, SECONDS_PER_CLICK
from ..labeling.label_store import LabelStore, write_atomic

EFFORT_COLUMNS = (('images', 'images'), ('queried', 'queried pixels'),
                  ('regions', 'regions'), ('points', 'points'),
                  ('boundary_pixels', 'outline (px)'), ('vertices', 'vertices'),
                  ('clicks', 'clicks'), ('seconds', 'est. seconds'))
REVIEW_COLUMNS = (('proposals', 'proposals'), ('accepted', 'accepted'),
                  ('relabeled', 'relabeled'), ('repainted', 'repainted'),
                  ('skipped', 'not answered'), ('clicks', 'clicks'),
                  ('seconds', 'est. seconds'), ('right_percent', "A's proposal right (%)"))
PAINT_SOURCE = (f'Regions are painted as polygons, one click for the class '
                f'and one per vertex; a point is one click. Seconds = clicks x '
                f'{SECONDS_PER_CLICK} s per click (Bearman et al., ECCV 2016), an estimate.')
REVIEW_SOURCE = (f"Each of A's proposals is checked, {SECONDS_PER_CHECK} s per "
                 'yes/no verification (Papadopoulos et al., CVPR 2016); a wrong one is '
                 f'relabeled (select it, pick the class: {RELABEL_CLICKS} clicks) or, holding '
                 'several classes, its wrong pixels are repainted as above; '
                 f'{SECONDS_PER_CLICK} s per click (Bearman et al., ECCV 2016), an estimate. '
                 "A's proposal right: accepted, of the proposals answered.")


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


def review_row(round_name: int | str, review: dict[str, Any] | None) -> dict[str, Any]:
    """A row of :func:`review_rows`: ``review``'s fields (None where unknown) and
    ``right_percent``, the share of the answered proposals accepted (None if none)."""
    row = dict(round=round_name, **{name: None if review is None else review[name]
                                    for name, _ in REVIEW_COLUMNS[:-1]})
    answered = None if review is None else review['proposals'] - review['skipped']
    row['right_percent'] = (100.0 * (review['accepted'] - review['skipped']) / answered
                            if answered else None)
    return row


def review_rows(store: LabelStore) -> list[dict[str, Any]]:
    """One row per committed round, then the run's total: what reviewing A's proposals cost
    (the round's ``review``; None where a round has none)."""
    return ([review_row(entry['round'] + 1, entry.get('review'))
             for entry in store.manifest['rounds']]
            + [review_row('total', store.totals()['review'])])


def cell(value: Any) -> str:
    """A table cell: '-' for unknown, floats with one decimal."""
    if value is None:
        return '-'
    return f'{value:.1f}' if isinstance(value, float) else str(value)


def markdown_table(rows: list[dict[str, Any]], columns: tuple[tuple[str, str], ...]) -> str:
    """Markdown: one line per row (its ``round`` first), ``columns`` as ``(field, label)``."""
    lines = ['| round | ' + ' | '.join(label for _, label in columns) + ' |',
             '|---|' + '---:|' * len(columns)]
    for row in rows:
        lines.append(f'| {row["round"]} | '
                     + ' | '.join(cell(row[name]) for name, _ in columns) + ' |')
    return '\n'.join(lines)


def budget_table(store: LabelStore, classes: list[str]) -> str:
    """Markdown: labeled pixels per class (rows) and round (columns), with totals; then the
    pixels labeled and queried, and the queried ones answered void or left unanswered ('-'
    for rounds committed before these were counted)."""
    rounds = store.manifest['rounds']
    head = ['class'] + [f'round {e["round"] + 1}' for e in rounds] + ['total']
    lines = ['| ' + ' | '.join(head) + ' |', '|---|' + '---:|' * (len(head) - 1)]
    for c, name in enumerate(classes):
        counts = [e['class_counts'][c] for e in rounds]
        lines.append(f'| {name} | ' + ' | '.join(map(str, counts + [sum(counts)])) + ' |')
    for label, field in (('labeled', 'pixels'), ('queried (incl. void, unanswered)', 'queried')):
        counts = [e[field] for e in rounds]
        lines.append(f'| **{label}** | ' + ' | '.join(map(str, counts + [sum(counts)])) + ' |')
    totals = store.totals()
    for field in ('void', 'unanswered'):
        counts = [e.get(field) for e in rounds] + [totals[f'{field}_pixels']]
        lines.append(f'| {field} | ' + ' | '.join(map(cell, counts)) + ' |')
    return '\n'.join(lines)


def effort_table(store: LabelStore) -> str:
    """Markdown: the effort of each round and of the run (:func:`effort_rows`)."""
    return markdown_table(effort_rows(store), EFFORT_COLUMNS)


def review_table(store: LabelStore) -> str:
    """Markdown: what reviewing A's proposals cost, per round and run (:func:`review_rows`)."""
    return markdown_table(review_rows(store), REVIEW_COLUMNS)


def comparison_table(store: LabelStore) -> str:
    """Markdown: the two estimates' seconds side by side, per round and run."""
    rows = [dict(round=paint['round'], paint=paint['seconds'], review=review['seconds'])
            for paint, review in zip(effort_rows(store), review_rows(store), strict=True)]
    return markdown_table(rows, (('paint', 'paint from nothing (est. s)'),
                                 ('review', "review A's proposals (est. s)")))


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
    """Write ``report.md`` (budget per class and round; the two effort estimates, painting
    from nothing and reviewing A's proposals, per round and run), the budget's ``budget.png``
    and ``report.json`` (the same numbers: ``rounds``, ``totals``, ``effort``, ``review``) to
    ``out_dir``; return the Markdown file. The seconds are estimates (:data:`PAINT_SOURCE`,
    :data:`REVIEW_SOURCE`)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    budget_chart(store, classes, palette, out_dir / 'budget.png')
    text = '\n\n'.join([
        '# Labels bought', budget_table(store, classes), '![per class](budget.png)',
        '# What they cost a person (estimates)', comparison_table(store),
        '## Paint from nothing', PAINT_SOURCE, effort_table(store),
        "## Review A's proposals", REVIEW_SOURCE, review_table(store)]) + '\n'
    report = out_dir / 'report.md'
    write_atomic(report, text.encode())
    write_atomic(out_dir / 'report.json', json.dumps(dict(
        classes=classes, rounds=store.manifest['rounds'], totals=store.totals(),
        effort=effort_rows(store), review=review_rows(store)), indent=1).encode())
    return report
