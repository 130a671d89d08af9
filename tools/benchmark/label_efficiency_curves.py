"""Label-efficiency curves on the synthetic benchmark: each selection method at several budgets.

Trains the methods of the main table (``label_efficiency.py``, beside this script) with only
the selection hooks' ``budget`` changed, set by hook type (``ActiveSelectionHook.budget``, which
reaches the SPL, PPL and baseline hooks), 3 seeds each, into
work_dirs/label_efficiency_curves/budget-<b>/<method>/seed<k>. Runs resume and are recorded with
their config digests as the main table's are, each as it finishes
(benchmarks/label_efficiency_curves.json, committed); a point at the main table's budget is the
main table's run (same config, same digest), never trained twice. Seed 0 of every point trains
first, so a campaign cut short still gives whole curves. Writes
benchmarks/label_efficiency_curves.{json,md,png} (and ``_effort.png`` once runs record their
annotation effort) and the section between ``<!-- BEGIN label_efficiency_curves -->`` and
``<!-- END ... -->`` of configs/labor/README.md.

    python tools/benchmark/label_efficiency_curves.py                  # the whole campaign
    python tools/benchmark/label_efficiency_curves.py --methods labor_spl --budgets 0.005
    python tools/benchmark/label_efficiency_curves.py --finished-only  # only rewrite the curves

Each run is pinned to ``--threads`` torch threads (1: two runs side by side on 2 cores, each
at full speed) and records the count.
"""
import argparse
import statistics
from pathlib import Path

import torch
from curve_stats import (
    interval_text,
    paired_lead,
    parity,
    ratio_text,
    seed_parities,
    shown_ahead,
    spread_text,
)
from label_efficiency import (  # beside this script
    REPO,
    effort_cell,
    full_supervision,
    load_record,
    method_name,
    run,
    run_key,
    set_aside_run,
    summary,
    supersede,
    superseded,
    without_budget,
    write_record,
)
from readme_sections import check_section, link, miou_text, update_section

from labor_mmseg.datasets.synthetic import ensure_synthetic_benchmark
from labor_mmseg.labeling.effort import SECONDS_PER_CLICK

PIXEL_BUDGETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.022)  # fractions of each image's pixels
POINT_BUDGETS = (2, 5, 10, 20, 40)  # points per target image
# Self-training's points: its low budgets and the main table's (0.25% and 10 points where the
# curves without it are paired).
SELF_TRAINING_PIXELS, SELF_TRAINING_POINTS = (0.0005, 0.001, 0.0025, 0.022), (2, 5, 10, 40)
CURVES = {
    **dict.fromkeys(('random_pixels', 'ripu_regions', 'labor_spl'), PIXEL_BUDGETS),
    'entropy_pixels': PIXEL_BUDGETS[2:],
    **dict.fromkeys(('random_points', 'ripu_pixels', 'labor_ppl'), POINT_BUDGETS),
    **dict.fromkeys(('random_pixels_st', 'ripu_regions_st', 'labor_spl_st'),
                    SELF_TRAINING_PIXELS),
    **dict.fromkeys(('random_points_st', 'ripu_pixels_st', 'labor_ppl_st'),
                    SELF_TRAINING_POINTS),
}
NAME = 'label_efficiency_curves'
# LabOR's strategy of each budget kind, and the methods it is compared with.
PAIRS = {'labor_spl': ('random_pixels', 'ripu_regions'),
         'labor_ppl': ('random_points', 'ripu_pixels'),
         'labor_spl_st': ('random_pixels_st', 'ripu_regions_st'),
         'labor_ppl_st': ('random_points_st', 'ripu_pixels_st')}
SELF_TRAINED = '_st'  # suffix of a method's name with self-training


def budget_ablation(budget: float | int) -> dict:
    """The options that set every selection hook's budget (see ``label_efficiency.run``)."""
    return {'hook_options': {'ActiveSelectionHook.budget': budget}}


def curve_point(method: str, budget: float | int, seed: int, out_root: Path,
                recorded: list[dict], train: bool = True) -> dict | None:
    """One run of ``method`` at ``budget`` with ``seed`` (trained if missing and ``train``),
    with its budget; None when not finished and ``train`` is false."""
    result = run(method, seed, out_root / f'budget-{budget}', train=train,
                 ablation=budget_ablation(budget), recorded=recorded)
    return result and {**result, 'budget': budget}


def curve_rows(results: list[dict]) -> list[dict]:
    """:func:`label_efficiency.summary` rows per (method, budget), in ``CURVES`` order."""
    return [{**row, 'budget': budget} for method, budgets in CURVES.items() for budget in budgets
            for row in summary([r for r in results
                                if r['method'] == method and r['budget'] == budget])]


def table(rows: list[dict], full: float | None) -> str:
    """Markdown table of :func:`curve_rows`, with each point's ratio to ``full`` (the mIoU of
    full supervision; None: no ratios)."""
    lines = ['| method | budget | target mIoU (mean ± std) | seeds | x full supervision | '
             '% target pixels labeled | points / image | clicks / image (est. time) |',
             '|---|---|---|---|---|---|---|---|']
    for r in rows:
        ratio = f'{r["mean"] / full:.2f}' if full else 'n/a'
        lines.append(f'| {method_name(r["method"])} | {budget_text(r["budget"])} | '
                     f'{miou_text(r)} | {r["seeds"]} | {ratio} | {r["labeled_percent"]:.2f} '
                     f'| {r["points_per_image"]:.0f} | {effort_cell(r)} |')
    return '\n'.join(lines)


def labels_axis(method: str) -> tuple[str, str]:
    """The labels a method's budgets count: the row field and its unit."""
    return (('labeled_percent', '%') if isinstance(CURVES[method][0], float)
            else ('points_per_image', ' points'))


def mean_curve(runs: list[dict], x_key: str) -> list[tuple[float, float]]:
    """``(labels, mIoU)`` per budget of one method's ``runs``, each the mean over the seeds
    that have every budget (so that no budget's mean leans on seeds the others lack); over
    every seed while none has them all."""
    budgets = {r['budget'] for r in runs}
    complete = {s for s in {r['seed'] for r in runs}
                if {r['budget'] for r in runs if r['seed'] == s} == budgets}
    used = [r for r in runs if r['seed'] in complete] or runs
    return [(statistics.mean(r[x_key] for r in at), statistics.mean(r['mIoU'] for r in at))
            for b in sorted(budgets) if (at := [r for r in used if r['budget'] == b])]


def parity_text(results: list[dict], targets: dict[str, float]) -> str:
    """Markdown: each method's labels at each target mIoU (its :func:`mean_curve`, and the
    spread of its seeds' own curves), then LabOR's labels over random's and RIPU's."""
    found: dict[tuple[str, str], object] = {}
    head = ' | '.join(f'{name} ({value:.2f})' for name, value in targets.items())
    lines = [f'| method | {head} |', '|---|' + '---|' * len(targets)]
    for method in CURVES:
        runs = [r for r in results if r['method'] == method]
        x_key, unit = labels_axis(method)
        points = mean_curve(runs, x_key)
        if len(points) < 2:
            continue
        cells = []
        for name, value in targets.items():
            found[method, name] = parity(points, value)
            cells.append(f'{found[method, name].text(unit)}; seeds: '
                         f'{spread_text(seed_parities(runs, x_key, value), unit)}')
        lines.append(f'| {method_name(method)} | ' + ' | '.join(cells) + ' |')
    lines += ['', f'| LabOR needs k x the labels of | {head} |', '|---|' + '---|' * len(targets)]
    for labor, others in PAIRS.items():
        for other in others:
            if all((m, n) in found for m in (labor, other) for n in targets):
                lines.append(f'| {method_name(labor)} / {method_name(other)} | ' + ' | '.join(
                                 ratio_text(found[labor, n], found[other, n]) for n in targets)
                             + ' |')
    return '\n'.join(lines)


def lead_text(results: list[dict]) -> str:
    """Markdown: LabOR's mIoU lead over random and RIPU at each budget, mean over the seeds
    both have, with its 95% interval (Student's t, paired by seed), and the labels each side
    spent (a method may spend less than its budget: RIPU's whole windows); then, in words,
    every budget where LabOR is not shown ahead (the interval does not lie above 0)."""
    lines = ["| LabOR's lead (mIoU) | budget | lead, 95% interval | seeds | labels spent "
             "(LabOR / other) |", '|---|---|---|---|---|']
    not_ahead = []
    for labor, others in PAIRS.items():
        x_key, unit = labels_axis(labor)
        for other in others:
            for budget in CURVES[labor]:
                mine, theirs = ({r['seed']: r for r in results
                                 if r['method'] == m and r['budget'] == budget}
                                for m in (labor, other))
                lead = paired_lead({s: r['mIoU'] for s, r in mine.items()},
                                   {s: r['mIoU'] for s, r in theirs.items()})
                if lead is None:
                    continue
                interval, seeds, shown = interval_text(lead), lead[2], budget_text(budget)
                spent = ' / '.join(
                    f'{statistics.mean(side[s][x_key] for s in side if s in other_side):.3g}'
                    f'{unit}' for side, other_side in ((mine, theirs), (theirs, mine)))
                pair = f'{method_name(labor)} - {method_name(other)}'
                lines.append(f'| {pair} | {shown} | {interval} | {seeds} | {spent} |')
                mean, half, _ = lead
                if not shown_ahead(lead):
                    verdict = ('one seed, no interval' if half is None else
                               'behind' if mean + half < 0 else 'not shown either way')
                    not_ahead.append(f'{pair} at {shown} ({mean:+.2f}, {verdict})')
    return '\n'.join(lines) + ('\n\nWhere LabOR is not shown ahead (its interval paired by '
                               'seed does not lie above 0): ' + ('; '.join(not_ahead) or 'none')
                               + '.')


def budget_text(budget: float | int) -> str:
    """A budget as the tables show it: ``0.1%`` or ``10`` (points)."""
    return f'{100 * budget:g}%' if isinstance(budget, float) else str(budget)


def self_training_text(results: list[dict], alone: list[dict]) -> str:
    """Markdown: self-training's gain per method and budget (mIoU with it minus without, paired
    by seed), and each method with self-training against self-training alone (``alone``: the
    main table's runs without target labels, budget 0), with where labels stop paying: the
    smallest budget from which every larger one leads self-training alone (interval above 0)."""
    def by_seed(method: str, budget: float | int) -> dict[int, float]:
        return {r['seed']: r['mIoU'] for r in results
                if r['method'] == method and r['budget'] == budget}

    lines = ['| self-training\'s gain (mIoU) | budget | gain, 95% interval | seeds |',
             '|---|---|---|---|']
    for method in (m for m in CURVES if m.endswith(SELF_TRAINED)):
        base = method.removesuffix(SELF_TRAINED)
        for budget in CURVES[method]:
            if budget in CURVES[base] and (
                    lead := paired_lead(by_seed(method, budget), by_seed(base, budget))):
                lines.append(f'| {method_name(base)} | {budget_text(budget)} | '
                             f'{interval_text(lead)} | {lead[2]} |')
    baseline = {r['seed']: r['mIoU'] for r in alone}
    lines += ['', '| against self-training alone (mIoU) | budget | lead, 95% interval | seeds |',
              '|---|---|---|---|']
    paying: dict[str, str] = {}
    for method in (m for m in CURVES if m.endswith(SELF_TRAINED)):
        lowest, stop = None, ''  # walking down the budgets; ``stop`` says why the walk ended
        for budget in sorted(CURVES[method], reverse=True):
            lead = paired_lead(by_seed(method, budget), baseline)
            if lead is None:
                stop = stop or f'no run at {budget_text(budget)} yet'
                continue
            lines.append(f'| {method_name(method)} | {budget_text(budget)} | '
                         f'{interval_text(lead)} | {lead[2]} |')
            if not shown_ahead(lead):
                stop = stop or (f'one seed at {budget_text(budget)}, no interval yet'
                                if lead[1] is None else f'not even at {budget_text(budget)}')
            elif not stop:
                lowest = budget
        paying[method] = f'from {budget_text(lowest)}' if lowest is not None else stop
    found = [f'{method_name(m)}: {text}' for m, text in paying.items()]
    return '\n'.join(lines) + ('\n\nWhere labels stop paying (the smallest budget from which '
                               'every larger one beats self-training alone, paired by seed): '
                               + '; '.join(found) + '.')


def draw_curves(ax, rows: list[dict], methods: list[str], x_key: str) -> None:
    """One line per method of ``rows`` (those with ``x_key``) against ``x_key``: the mean,
    with a band of ± one std over seeds."""
    for method in methods:
        points = [r for r in rows if r['method'] == method and r.get(x_key) is not None]
        if not points:
            continue
        x = [r[x_key] for r in points]
        mean = [r['mean'] for r in points]
        # One colour per method in every plot; with self-training dashed, in its colour.
        base = method.removesuffix(SELF_TRAINED)
        color = f'C{list(CURVES).index(base)}'
        ax.plot(x, mean, 'o--' if base != method else 'o-', color=color,
                label=method_name(method))
        ax.fill_between(x, [m - r['std'] for m, r in zip(mean, points, strict=True)],
                        [m + r['std'] for m, r in zip(mean, points, strict=True)],
                        color=color, alpha=0.2)


def finish_axes(ax, ceilings: list[dict], label: str, ticks: tuple = ()) -> None:
    """Log x axis labelled ``label`` (major ticks at ``ticks`` if given, no minor labels: they
    overlap), grid and legend, with ``ceilings`` (main-table rows: with every target label,
    then self-training without any) as horizontal lines."""
    from matplotlib.ticker import NullFormatter, ScalarFormatter
    for ceiling, style in zip(ceilings, ('--', ':', '-.'), strict=False):
        ax.axhline(ceiling['mean'], color='gray', linestyle=style, label=ceiling['name'])
    ax.set_xscale('log')
    if ticks:
        ax.set_xticks(ticks)
        ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(label)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc='lower right')


def plot(rows: list[dict], ceilings: list[dict], path: Path) -> None:
    """mIoU against labels (log x), mean and seed band per method: pixel budgets by the share
    of pixels labeled, point budgets by points per image."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    for ax, ticks, x_key, label in (
            (axes[0], [100 * b for b in PIXEL_BUDGETS], 'labeled_percent',
             '% of target pixels labeled'),
            (axes[1], POINT_BUDGETS, 'points_per_image', 'points per target image')):
        draw_curves(ax, rows, [m for m in CURVES if labels_axis(m)[0] == x_key], x_key)
        finish_axes(ax, ceilings, label, ticks)
    axes[0].set_ylabel('target val mIoU (mean, band: ± std over seeds)')
    fig.suptitle('Label-efficiency curves on the synthetic benchmark')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_effort(rows: list[dict], ceilings: list[dict], path: Path) -> bool:
    """mIoU against the estimated annotation time per target image (log x), every method in
    one panel so that pixel and point budgets compare by effort; only points where a run
    recorded its effort (the mean of those that did). False (nothing written) when none did."""
    if all(r.get('seconds_per_image') is None for r in rows):
        return False
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    draw_curves(ax, rows, list(CURVES), 'seconds_per_image')
    finish_axes(ax, ceilings, 'estimated annotation time per target image (s; clicks x '
                f'{SECONDS_PER_CLICK} s)')
    ax.set_ylabel('target val mIoU (mean, band: ± std over seeds)')
    ax.set_title('Label efficiency against annotation effort (an estimate)')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def parse_args() -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--methods', nargs='+', default=list(CURVES), choices=list(CURVES))
    parser.add_argument('--budgets', nargs='+', type=float,
                        help='only these budgets (fractions or points per image)')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--threads', type=int, default=1, help='torch threads per run')
    parser.add_argument('--work-dir', default=str(REPO / 'work_dirs' / NAME))
    parser.add_argument('--no-readme', action='store_true',
                        help='do not update configs/labor/README.md')
    parser.add_argument('--finished-only', action='store_true',
                        help='train nothing, only write the curves')
    parser.add_argument('--retrain', metavar='REASON',
                        help='train the asked points again although recorded (after a code '
                        'change the config digest cannot see; a point that is a main-table run '
                        'is retrained by label_efficiency.py --retrain)')
    return parser.parse_args()


def main() -> None:
    """Train the missing points (seed by seed), then write the curves."""
    args = parse_args()
    if not args.no_readme:
        check_section(REPO, NAME)  # missing markers fail now, not after hours of training
    torch.set_num_threads(args.threads)
    data_root = REPO / 'data' / 'synthetic'
    ensure_synthetic_benchmark(data_root)
    bench = REPO / 'benchmarks'
    record = bench / f'{NAME}.json'
    main_runs, main_stale = load_record(bench / 'label_efficiency.json')
    gone = superseded(main_stale)  # the main table's runs it retired: not points either
    recorded, stale_runs = load_record(record)
    recorded = [r for r in recorded if without_budget(r) not in gone]
    known = main_runs + recorded  # the main table owns its runs: its record comes first
    out_root = Path(args.work_dir)
    for entry in gone:  # a run the main table retrained: this script's copy of it goes too
        for work_dir in out_root.glob(f'budget-*/{entry["method"]}/seed{entry["seed"]}'):
            set_aside_run(work_dir, entry)
    if args.retrain and not args.finished_only and record.is_file():
        main_keys = {run_key(r) for r in main_runs}
        recorded, stale_runs = supersede(record, [
            r for r in recorded if r['method'] in args.methods and r['seed'] in args.seeds
            and (args.budgets is None or r['budget'] in args.budgets)
            and run_key(r) not in main_keys], args.retrain,
            lambda r: out_root / f'budget-{r["budget"]}' / r['method'] / f'seed{r["seed"]}')
        known = main_runs + recorded
    seeds = sorted({r['seed'] for r in known} | set(args.seeds))

    def record_finished() -> tuple[list[dict], list[dict]]:
        finished = [r for method, budgets in CURVES.items() for budget in budgets
                    for seed in seeds
                    if (r := curve_point(method, budget, seed, out_root, known, train=False))]
        return write_record(record, finished, recorded, stale_runs, curve_rows)

    if not args.finished_only:
        for seed in args.seeds:
            for method in args.methods:
                for budget in CURVES[method]:
                    if args.budgets is None or budget in args.budgets:
                        todo = curve_point(method, budget, seed, out_root, known, False) is None
                        curve_point(method, budget, seed, out_root, known)
                        if todo:
                            record_finished()
    results, stale_runs = record_finished()
    rows = curve_rows(results)
    main_rows = summary([r for r in main_runs if r['method'] in ('supervised',
                                                                 'adaptseg_all_labels')])
    full = full_supervision(main_rows)
    alone = [r for r in main_runs if r['method'] == 'self_training']
    levels = main_rows[::-1] + summary(alone)
    text = table(rows, full and full['mean'])
    targets = {f'1.00 x {r["name"].lower()}': r['mean'] for r in main_rows[::-1]}
    text += ('\n\n**Labels needed for parity** (interpolated in log labels between the budgets '
             'around the crossing; "seeds": the range of each seed\'s own curve):\n\n'
             + parity_text(results, targets)
             + '\n\n**LabOR\'s lead per budget** (paired by seed):\n\n' + lead_text(results)
             + '\n\n**Self-training** (`_base_/labor/self-training_synth.py`):\n\n'
             + self_training_text(results, alone))
    (bench / f'{NAME}.md').write_text(text + '\n')
    plot(rows, levels, bench / f'{NAME}.png')
    figures = f'![mIoU against labels, per budget]({link(REPO, NAME, f"benchmarks/{NAME}.png")})'
    if plot_effort(rows, levels, bench / f'{NAME}_effort.png'):
        effort = link(REPO, NAME, f'benchmarks/{NAME}_effort.png')
        figures += f'\n\n![mIoU against annotation effort]({effort})'
    print(text)
    if not args.no_readme:
        update_section(REPO, NAME, f'{text}\n\n{figures}')


if __name__ == '__main__':
    main()
