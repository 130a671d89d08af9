"""On paper: a full GTA5 -> Cityscapes LabOR run on 1 and on 8 GPUs, from measured ratios.

Reads the ratios `tools/benchmark/perf.py` measured (benchmarks/perf.json) and prices a run in
AdaptSeg train steps, the unit a user can time on their own GPU; wall-clock hours follow from
one assumed step time (``--step-s``, replace it with yours). Writes benchmarks/on_paper.md and,
with ``--readme``, the section between ``<!-- BEGIN on_paper -->`` and ``<!-- END on_paper -->``
of configs/labor/README.md.

    python tools/benchmark/on_paper.py --readme
"""
import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from readme_sections import RESULTS_README, update_section  # beside this script

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Recipe:
    """The run being priced (defaults: RIPU's GTA5 -> Cityscapes recipe, REFERENCES.md)."""

    iters: int = 40_000
    batch: int = 2  # source + target pairs per iteration, on one GPU
    rounds: int = 5
    target_images: int = 2975
    source_size: tuple[int, int] = (1280, 720)
    target_size: tuple[int, int] = (1280, 640)
    select_size: tuple[int, int] = (2048, 1024)  # selection scores full-resolution images
    backward_factor: float = 2.0  # a backward pass costs about twice the forward


def pixels(size: tuple[int, int]) -> int:
    """Pixels of a ``(width, height)`` image."""
    return size[0] * size[1]


def selection_forward_in_steps(recipe: Recipe) -> float:
    """One full-resolution forward of model A's backbone and B's heads, in AdaptSeg steps.

    A fully convolutional network costs in proportion to its input pixels; an AdaptSeg step is a
    forward and a backward of A on ``batch`` source and target images (D's share is neglected).
    """
    step = recipe.batch * (pixels(recipe.source_size) + pixels(recipe.target_size))
    return pixels(recipe.select_size) / (step * (1 + recipe.backward_factor))


def estimate(recipe: Recipe, step_ratio: float, gpus: int, ddp_overhead: float) -> dict:
    """A run's cost in AdaptSeg steps on ``gpus`` GPUs, each with the single-GPU batch.

    With 8 GPUs the global batch grows 8 x, so the same number of samples takes ``iters / gpus``
    iterations (the learning-rate schedule must be rescaled accordingly); every iteration pays
    ``ddp_overhead`` for gradient synchronisation. Selection rounds shard the target images
    over the GPUs.
    """
    iters = recipe.iters / gpus
    overhead = ddp_overhead if gpus > 1 else 0.0
    train = iters * step_ratio * (1 + overhead)
    images_per_gpu = -(-recipe.target_images // gpus)
    select = recipe.rounds * images_per_gpu * selection_forward_in_steps(recipe)
    return dict(gpus=gpus, iters=iters, train_steps=train, selection_steps=select,
                total_steps=train + select, adaptseg_steps=iters * (1 + overhead))


def markdown(ratios: dict[str, float], recipe: Recipe, rows: list[dict], step_s: float,
             ddp_overhead: float) -> str:
    """The section text: assumptions, then one row per GPU count."""
    step_ratio = ratios['train_step.labor']
    post = max(ratios[f'selection.{h}.{s}.time_incl_softmax']
               for h in ('correlated', 'independent') for s in ('spl', 'ppl'))
    lines = [
        f'A LabOR run with the recipe of `configs/labor/spl_gta2cs.py` ({recipe.iters:,} '
        f'iterations of {recipe.batch} source {recipe.source_size[0]}x{recipe.source_size[1]} + '
        f'{recipe.batch} target {recipe.target_size[0]}x{recipe.target_size[1]} images, '
        f'{recipe.rounds} selection rounds over {recipe.target_images:,} target images at '
        f'{recipe.select_size[0]}x{recipe.select_size[1]}), priced in AdaptSeg train steps of '
        'the same model. Measured here (`benchmarks/perf.json`): one LabOR step = '
        f'{step_ratio:.2f} AdaptSeg steps (B on A\'s backbone). Derived: scoring one image for '
        f'selection = one full-resolution forward = {selection_forward_in_steps(recipe):.2f} '
        'steps (cost proportional to pixels, backward = 2 x forward); the selection '
        f'post-processing, at most {post:.1f} x one softmax over the logits, is a few '
        'milliseconds on a GPU and left out. Hours assume one AdaptSeg step takes '
        f'{step_s:g} s (an assumption: time one on your GPU and rerun with `--step-s`); 8 GPUs '
        f'keep the per-GPU batch, so the run takes 1/8 of the iterations (rescale the '
        f'schedule), with {100 * ddp_overhead:.0f}% assumed for gradient synchronisation.',
        '',
        '| GPUs | iterations | train (steps) | selection (steps) | LabOR total (steps) | '
        'LabOR hours | AdaptSeg hours | LabOR / AdaptSeg |',
        '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ]
    for r in rows:
        lines.append(
            f'| {r["gpus"]} | {r["iters"]:,.0f} | {r["train_steps"]:,.0f} | '
            f'{r["selection_steps"]:,.0f} | {r["total_steps"]:,.0f} | '
            f'{r["total_steps"] * step_s / 3600:.1f} | {r["adaptseg_steps"] * step_s / 3600:.1f} | '
            f'{r["total_steps"] / r["adaptseg_steps"]:.2f}x |')
    return '\n'.join(lines)


def main() -> None:
    """Price the run on each GPU count and write the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--perf', default=str(REPO / 'benchmarks' / 'perf.json'))
    parser.add_argument('--out', default=str(REPO / 'benchmarks' / 'on_paper.md'))
    parser.add_argument('--step-s', type=float, default=1.0,
                        help='assumed seconds per AdaptSeg step on one GPU')
    parser.add_argument('--ddp-overhead', type=float, default=0.1)
    parser.add_argument('--gpus', type=int, nargs='+', default=[1, 8])
    parser.add_argument('--readme', action='store_true', help=f'update {RESULTS_README}')
    args = parser.parse_args()
    perf_file = Path(args.perf)
    if not perf_file.is_file():
        raise SystemExit(f'{perf_file}: not found; run tools/benchmark/perf.py first')
    ratios = {r['name']: r['value'] for r in json.loads(perf_file.read_text())['ratios']}
    recipe = Recipe()
    rows = [estimate(recipe, ratios['train_step.labor'], g, args.ddp_overhead)
            for g in args.gpus]
    text = markdown(ratios, recipe, rows, args.step_s, args.ddp_overhead)
    Path(args.out).write_text(text + '\n')
    print(text)
    if args.readme:
        update_section(REPO, 'on_paper', text)


if __name__ == '__main__':
    main()
