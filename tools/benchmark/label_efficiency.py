"""Label-efficiency table on the synthetic benchmark: target mIoU against labels spent.

Trains each method's synthetic config for each seed into work_dirs/label_efficiency/<method>/
seed<k> (a finished run is skipped, so a rerun resumes where it stopped), then writes
benchmarks/label_efficiency.{json,md} and the README section between
``<!-- BEGIN label_efficiency -->`` and ``<!-- END label_efficiency -->``.

    python tools/benchmark/label_efficiency.py                       # every method, 3 seeds
    python tools/benchmark/label_efficiency.py --methods source_only supervised --seeds 0
"""
import argparse
import json
import statistics
from pathlib import Path

import labor_mmseg  # noqa: F401  (registers components)
from labor_mmseg.datasets.synthetic import benchmark_is_current, generate_synthetic_benchmark
from labor_mmseg.utils.experiment import train_and_test, update_readme_section

REPO = Path(__file__).resolve().parents[2]

# method -> (config, human-readable name, extra cfg options)
METHODS = {
    'source_only': ('source_only_synth', 'Source only', {}),
    'adaptseg': ('adaptseg_synth', 'AdaptSeg (UDA)', {}),
    'supervised': ('supervised_synth', 'Target full supervision', {}),
}


def run(method: str, seed: int, out_root: Path) -> dict:
    """Train and test one method with one seed (or read its finished result)."""
    work_dir = out_root / method / f'seed{seed}'
    result_file = work_dir / 'result.json'
    if result_file.is_file():
        return json.loads(result_file.read_text())
    config, _, options = METHODS[method]
    metrics = train_and_test(REPO / 'configs' / 'labor' / f'{config}.py', work_dir,
                             {'randomness.seed': seed, **options})
    manifest = work_dir / 'label_store' / 'manifest.json'
    labeled = json.loads(manifest.read_text()) if manifest.is_file() else None
    result = dict(method=method, seed=seed, mIoU=metrics['mIoU'],
                  labeled_percent=(100 * labeled['labeled_pixels'] / labeled['total_pixels']
                                   if labeled else (100.0 if method == 'supervised' else 0.0)))
    result_file.write_text(json.dumps(result, indent=2))
    return result


def table(results: list[dict]) -> str:
    """Markdown table: mean and spread of mIoU per method, with labels spent."""
    rows = ['| method | target mIoU (mean ± std) | seeds | % target pixels labeled |',
            '|---|---|---|---|']
    for method, (_, name, _) in METHODS.items():
        runs = [r for r in results if r['method'] == method]
        if not runs:
            continue
        mious = [r['mIoU'] for r in runs]
        spread = statistics.stdev(mious) if len(mious) > 1 else 0.0
        labeled = statistics.mean(r['labeled_percent'] for r in runs)
        rows.append(f'| {name} | {statistics.mean(mious):.2f} ± {spread:.2f} | {len(runs)} | '
                    f'{labeled:.2f} |')
    return '\n'.join(rows)


def main() -> None:
    """Run the requested methods and seeds, then write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--methods', nargs='+', default=list(METHODS), choices=list(METHODS))
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--work-dir', default=str(REPO / 'work_dirs' / 'label_efficiency'))
    parser.add_argument('--no-readme', action='store_true', help='do not update README.md')
    args = parser.parse_args()
    data_root = REPO / 'data' / 'synthetic'
    if not benchmark_is_current(data_root):
        generate_synthetic_benchmark(data_root)
    out_root = Path(args.work_dir)
    results = [run(m, s, out_root) for m in args.methods for s in args.seeds]
    text = table(results)
    bench = REPO / 'benchmarks'
    bench.mkdir(exist_ok=True)
    (bench / 'label_efficiency.json').write_text(json.dumps(results, indent=2))
    (bench / 'label_efficiency.md').write_text(text + '\n')
    print(text)
    if not args.no_readme:
        update_readme_section(REPO / 'README.md', 'label_efficiency', text)


if __name__ == '__main__':
    main()
