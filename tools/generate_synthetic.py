"""Generate the synthetic GTA5 -> Cityscapes-like benchmark (skipped when already current)."""

import argparse
import importlib.util
import sys
import time
from pathlib import Path

if importlib.util.find_spec('labor_mmseg') is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labor_mmseg.datasets.synthetic import (  # noqa: E402
    CLASSES,
    ensure_synthetic_benchmark,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--root', default='data/synthetic', help='output folder')
    parser.add_argument('--num-source', type=int, default=400)
    parser.add_argument('--num-target-train', type=int, default=300)
    parser.add_argument('--num-target-val', type=int, default=100)
    parser.add_argument('--height', type=int, default=128)
    parser.add_argument('--width', type=int, default=256)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--force', action='store_true', help='regenerate even if current')
    parser.add_argument('--no-progress', action='store_true', help='hide the progress bar')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Generate the benchmark unless ``<root>/meta.json`` already matches the arguments."""
    args = parse_args(argv)
    kwargs = dict(num_source=args.num_source, num_target_train=args.num_target_train,
                  num_target_val=args.num_target_val, height=args.height, width=args.width,
                  seed=args.seed)
    start = time.perf_counter()
    meta = ensure_synthetic_benchmark(args.root, force=args.force, workers=args.workers,
                                      progress=not args.no_progress, **kwargs)
    if meta is None:
        print(f'synthetic benchmark in {args.root} is up to date (use --force to regenerate)')
        return
    counts = ', '.join(f'{k}={v}' for k, v in meta['file_counts'].items())
    print(f'wrote {counts} images of {args.height}x{args.width} to {args.root} '
          f'in {time.perf_counter() - start:.1f}s')
    for subset, freq in meta['class_pixel_frequency'].items():
        present = sum(f > 0 for f in freq)
        print(f'  {subset}: {present}/{len(CLASSES)} classes present')


if __name__ == '__main__':
    main()
