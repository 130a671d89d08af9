"""`make demo`: LabOR-SPL end to end on the embedded synthetic benchmark, on the CPU.

Generates the benchmark under data/synthetic (skipped when current), trains
configs/labor/spl_synth.py with its selection rounds, tests on the target val split and prints
the target mIoU, the labels spent, what they would cost a person and where the files are.
"""
import argparse
from pathlib import Path

from labor_mmseg.datasets.synthetic import ensure_synthetic_benchmark
from labor_mmseg.labeling import LabelStore
from labor_mmseg.utils.experiment import set_aside, train_and_test

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    """Generate, train, test, summarise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=str(REPO / 'configs/labor/spl_synth.py'))
    parser.add_argument('--work-dir', default=str(REPO / 'work_dirs/demo'))
    parser.add_argument('--data-root', default=str(REPO / 'data/synthetic'))
    args = parser.parse_args()

    generated = ensure_synthetic_benchmark(args.data_root) is not None
    print(f'[demo] synthetic benchmark in {args.data_root}: '
          f'{"generated" if generated else "up to date"}')
    import labor_mmseg  # noqa: F401  (registers components before the runner is built)
    if Path(args.work_dir).exists():  # a new run must not train on an earlier run's labels
        moved = set_aside(args.work_dir)
        print(f'[demo] the previous demo run is kept in {moved}')
    metrics = train_and_test(args.config, args.work_dir)
    store_root = Path(args.work_dir) / 'label_store'
    print('\n[demo] done')
    print(f'[demo] target val mIoU: {metrics["mIoU"]:.2f}')
    if (store_root / 'manifest.json').is_file():
        info = LabelStore.open(store_root).totals()
        print(f'[demo] labels bought in {info["rounds"]} rounds: {info["queried_pixels"]} '
              f'pixels queried ({info["queried_percent"]:.2f}% of the target training '
              f'pixels), {info["labeled_pixels"]} of them labeled (the rest void in the '
              'ground truth)')
        effort = info['effort']
        print(f'[demo] what a person would do for them: {effort["regions"]} regions to paint, '
              f'{effort["points"]} points to click, {effort["clicks"]} clicks, about '
              f'{effort["seconds"] / 3600:.1f} h (an estimate)')
        print(f'[demo] label store: {store_root}')
        print(f'[demo] budget and effort report: {Path(args.work_dir) / "reports" / "report.md"}')
        overlays = sorted(Path(args.work_dir).glob('*/vis_data/vis_image'))
        if overlays:
            print(f'[demo] overlays of each round (image, prediction, inconsistency, '
                  f'selection): {overlays[-1]}')
    print(f'[demo] logs and checkpoints: {args.work_dir}')


if __name__ == '__main__':
    main()
