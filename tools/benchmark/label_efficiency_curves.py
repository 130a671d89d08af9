"""Label-efficiency curves on the synthetic benchmark: each selection method at several budgets.

Trains the methods of the main table (``label_efficiency.py``, beside this script) with only
the selection hooks' ``budget`` changed, set by hook type (``ActiveSelectionHook.budget``, which
reaches the SPL, PPL and baseline hooks), 3 seeds each, into
work_dirs/label_efficiency_curves/budget-<b>/<method>/seed<k>. Runs resume and are recorded with
their config digests as the main table's are (benchmarks/label_efficiency_curves.json,
committed); a point at the main table's budget is the main table's run (same config, same
digest), never trained twice. Seed 0 of every point trains first, so a campaign cut short still
gives whole curves. Writes benchmarks/label_efficiency_curves.{json,md,png} and the README
section between ``<!-- BEGIN label_efficiency_curves -->`` and ``<!-- END ... -->``.

    python tools/benchmark/label_efficiency_curves.py                  # the whole campaign
    python tools/benchmark/label_efficiency_curves.py --methods labor_spl --budgets 0.005
    python tools/benchmark/label_efficiency_curves.py --finished-only  # only rewrite the curves

Each run is pinned to ``--threads`` torch threads (1: two runs side by side on 2 cores, each
at full speed) and records the count.
"""
import argparse
import json
from pathlib import Path

import torch
from label_efficiency import (  # beside this script
    METHODS,
    REPO,
    full_supervision,
    load_record,
    run,
    run_key,
    summary,
)
from readme_sections import readme_section, update_readme_section

from labor_mmseg.datasets.synthetic import benchmark_is_current, generate_synthetic_benchmark

PIXEL_BUDGETS = (0.0025, 0.005, 0.01, 0.022)  # fractions of each target image's pixels
POINT_BUDGETS = (10, 20, 40)  # points per target image
CURVES = {
    **dict.fromkeys(('random_pixels', 'entropy_pixels', 'ripu_regions', 'labor_spl'),
                    PIXEL_BUDGETS),
    **dict.fromkeys(('random_points', 'ripu_pixels', 'labor_ppl'), POINT_BUDGETS),
}
NAME = 'label_efficiency_curves'


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
             '% target pixels labeled | points / image |', '|---|---|---|---|---|---|---|']
    for r in rows:
        budget = f'{100 * r["budget"]:g}%' if isinstance(r['budget'], float) else r['budget']
        ratio = f'{r["mean"] / full:.2f}' if full else 'n/a'
        lines.append(f'| {METHODS[r["method"]][1].split(",")[0]} | {budget} | {r["mean"]:.2f} '
                     f'± {r["std"]:.2f} | {r["seeds"]} | {ratio} | {r["labeled_percent"]:.2f} '
                     f'| {r["points_per_image"]:.0f} |')
    return '\n'.join(lines)


def plot(rows: list[dict], ceilings: list[dict], path: Path) -> None:
    """mIoU against labels (log x), mean and seed band per method: pixel budgets by the share
    of pixels labeled, point budgets by points per image; ``ceilings`` (main-table rows with
    every target label) as horizontal lines."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    for ax, budgets, x_key, label in (
            (axes[0], PIXEL_BUDGETS, 'labeled_percent', '% of target pixels labeled'),
            (axes[1], POINT_BUDGETS, 'points_per_image', 'points per target image')):
        for method in (m for m, b in CURVES.items() if b == budgets):
            points = [r for r in rows if r['method'] == method]
            if not points:
                continue
            x = [r[x_key] for r in points]
            mean = [r['mean'] for r in points]
            line, = ax.plot(x, mean, 'o-', label=METHODS[method][1].split(',')[0])
            ax.fill_between(x, [m - r['std'] for m, r in zip(mean, points, strict=True)],
                            [m + r['std'] for m, r in zip(mean, points, strict=True)],
                            color=line.get_color(), alpha=0.2)
        for ceiling, style in zip(ceilings, ('--', ':'), strict=False):
            ax.axhline(ceiling['mean'], color='gray', linestyle=style, label=ceiling['name'])
        ax.set_xscale('log')
        ax.set_xlabel(label)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc='lower right')
    axes[0].set_ylabel('target val mIoU (mean, band: ± std over seeds)')
    fig.suptitle('Label-efficiency curves on the synthetic benchmark')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def parse_args() -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--methods', nargs='+', default=list(CURVES), choices=list(CURVES))
    parser.add_argument('--budgets', nargs='+', type=float,
                        help='only these budgets (fractions or points per image)')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--threads', type=int, default=1, help='torch threads per run')
    parser.add_argument('--work-dir', default=str(REPO / 'work_dirs' / NAME))
    parser.add_argument('--no-readme', action='store_true', help='do not update README.md')
    parser.add_argument('--finished-only', action='store_true',
                        help='train nothing, only write the curves')
    return parser.parse_args()


def main() -> None:
    """Train the missing points (seed by seed), then write the curves."""
    args = parse_args()
    readme = REPO / 'README.md'
    if not args.no_readme:
        readme_section(readme, NAME)  # missing markers fail now, not after hours of training
    torch.set_num_threads(args.threads)
    data_root = REPO / 'data' / 'synthetic'
    if not benchmark_is_current(data_root):
        generate_synthetic_benchmark(data_root)
    bench = REPO / 'benchmarks'
    record = bench / f'{NAME}.json'
    recorded, stale_runs = load_record(record)
    main_runs = load_record(bench / 'label_efficiency.json')[0]
    known = recorded + main_runs
    out_root = Path(args.work_dir)
    if not args.finished_only:
        for seed in args.seeds:
            for method in args.methods:
                for budget in CURVES[method]:
                    if args.budgets is None or budget in args.budgets:
                        curve_point(method, budget, seed, out_root, known)
    seeds = sorted({r['seed'] for r in known} | set(args.seeds))
    results = [r for method, budgets in CURVES.items() for budget in budgets for seed in seeds
               if (r := curve_point(method, budget, seed, out_root, known, train=False))]
    current = {run_key(r) for r in results}
    stale_runs += [r for r in recorded if run_key(r) not in current]
    rows = curve_rows(results)
    main_rows = summary([r for r in main_runs if r['method'] in ('supervised',
                                                                 'adaptseg_all_labels')])
    full = full_supervision(main_rows)
    text = table(rows, full and full['mean'])
    bench.mkdir(exist_ok=True)
    record.write_text(json.dumps(dict(runs=results, summary=rows, stale_runs=stale_runs),
                                 indent=2))
    (bench / f'{NAME}.md').write_text(text + '\n')
    plot(rows, main_rows[::-1], bench / f'{NAME}.png')
    print(text)
    if not args.no_readme:
        update_readme_section(readme, NAME, f'{text}\n\n![mIoU against labels, per budget]'
                              f'(benchmarks/{NAME}.png)')


if __name__ == '__main__':
    main()
