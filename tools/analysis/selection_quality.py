"""What each selection strategy would label with a LabOR checkpoint, and whether it pays off.

For every ``--every``-th target training image, model B scores the image as a selection round
does, each strategy picks one round's budget (the config's selection hook), and the picks are
compared with the ground truth and model A's prediction: how many are void, how many A gets
wrong, how many lie near a class boundary (within ``--radius`` pixels of a label change), and
how many classes they cover. Base rates over all pixels come first. A second table shows, per
ground-truth class, what no strategy that picks inside B's inconsistency mask can reach: the
share of the class's pixels in the mask, of those A gets wrong, of A's errors outside the mask
(where B's two classifiers agree) and of those B's mean prediction gets wrong.

    python tools/analysis/selection_quality.py configs/labor/spl_synth.py \\
        work_dirs/demo/iter_500.pth --strategies spl ppl random entropy

The config's selection hook gives the budget, the schedule and the seed, and its strategy its
options (``--cfg-options`` and ``--hook-options`` change them); every strategy picks, and
``random`` draws, exactly what a training round with that config would pick on an image with
nothing labeled yet.
"""
import argparse
import json
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmseg.registry import DATASETS, MODELS

import labor_mmseg  # noqa: F401  (registers components)
from labor_mmseg.labeling.selection_round import SelectionRound
from labor_mmseg.selection import inconsistency_mask, strategy_names
from labor_mmseg.utils import hook_cfg_options

IGNORE = 255


def boundary_mask(gt: np.ndarray, radius: int) -> np.ndarray:
    """Pixels within ``radius`` of a change of ground-truth label (void counts as a label)."""
    kernel = np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)
    return cv2.morphologyEx(gt, cv2.MORPH_GRADIENT, kernel) > 0


def new_tally(num_classes: int) -> dict:
    """Empty counters for one strategy (or for all pixels)."""
    return dict(pixels=0, void=0, wrong=0, boundary=0, classes=np.zeros(num_classes, np.int64))


def count(tally: dict, mask: np.ndarray, gt: np.ndarray, pred: np.ndarray,
          boundary: np.ndarray) -> None:
    """Add the pixels of ``mask`` to ``tally``."""
    valid = mask & (gt != IGNORE)
    tally['pixels'] += int(mask.sum())
    tally['void'] += int((mask & (gt == IGNORE)).sum())
    tally['wrong'] += int((valid & (pred != gt)).sum())
    tally['boundary'] += int((valid & boundary).sum())
    tally['classes'] += np.bincount(gt[valid], minlength=len(tally['classes']))


def summary(tally: dict) -> dict:
    """Fractions of a tally: void among all, the rest among the non-void pixels."""
    valid = max(tally['pixels'] - tally['void'], 1)
    return dict(pixels=tally['pixels'], void=tally['void'] / max(tally['pixels'], 1),
                a_wrong=tally['wrong'] / valid, near_boundary=tally['boundary'] / valid,
                classes_covered=int((tally['classes'] > 0).sum()),
                class_counts=tally['classes'].tolist())


CLASS_COUNTS = ('pixels', 'inconsistent', 'a_wrong', 'a_wrong_consistent', 'b_wrong')


def count_classes(tally: dict, gt: np.ndarray, pred: np.ndarray, b_pred: np.ndarray,
                  inconsistent: np.ndarray) -> None:
    """Add one image's non-void pixels to the per-class counters ``tally`` (CLASS_COUNTS)."""
    valid = gt != IGNORE
    a_wrong = pred != gt
    selections = dict(pixels=valid, inconsistent=inconsistent, a_wrong=a_wrong,
                      a_wrong_consistent=a_wrong & ~inconsistent, b_wrong=b_pred != gt)
    for key, selected in selections.items():
        tally[key] += np.bincount(gt[valid & selected], minlength=len(tally[key]))


def class_summary(tally: dict, classes: tuple) -> dict:
    """Per class present: shares of its pixels in the mask, wrong for A, wrong for B, and the
    share of A's errors outside the mask."""
    return {name: dict(pixels=int(tally['pixels'][k]),
                       inconsistent=tally['inconsistent'][k] / tally['pixels'][k],
                       a_wrong=tally['a_wrong'][k] / tally['pixels'][k],
                       a_errors_outside_mask=(tally['a_wrong_consistent'][k]
                                              / max(tally['a_wrong'][k], 1)),
                       b_wrong=tally['b_wrong'][k] / tally['pixels'][k])
            for k, name in enumerate(classes) if tally['pixels'][k]}


def target_dataset_cfg(cfg: Config) -> dict:
    """The target training dataset of a LabOR config, unwrapped from Paired/SparseLabel."""
    dataset = cfg.train_dataloader.dataset
    dataset = dataset.get('target', dataset)
    return dataset.get('dataset', dataset)


def strategy_rounds(cfg: Config, strategies: list[str]) -> dict[str, SelectionRound]:
    """Per strategy, the round training would run: the config's selection hook's own (its
    budget, schedule, options and seed: the runner's unless the hook has one), and for the other
    strategies the same round with their default options, so ``random`` draws what it would
    draw in training."""
    hooks = [h for h in cfg.get('custom_hooks', []) if h['type'].endswith('SelectionHook')]
    if not hooks:
        raise ValueError(f'{cfg.filename}: custom_hooks has no selection hook to take the '
                         'budget and rounds from')
    hook_round = SelectionRound.from_hook_cfg(hooks[0])
    if hook_round.seed is None:
        hook_round.seed = cfg.get('randomness', {}).get('seed') or 0
    return {name: hook_round if name == hook_round.strategy_name else SelectionRound(
        name, hook_round.budget, hook_round.num_rounds, hook_round.seed, owner=name)
        for name in strategies}


@torch.no_grad()
def evaluate(cfg: Config, checkpoint: str, strategies: list[str], every: int,
             radius: int, round_idx: int) -> tuple[dict, dict]:
    """Tallies of the picks of each strategy, and of all pixels, over the sampled images; and
    the per-class counts of :func:`class_summary`."""
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu')
    model.eval()
    rounds = strategy_rounds(cfg, strategies)
    dataset_cfg = dict(target_dataset_cfg(cfg))
    dataset_cfg['pipeline'] = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                               dict(type='PackSegInputs')]
    dataset = DATASETS.build(dataset_cfg)
    num_classes = len(dataset.metainfo['classes'])
    tallies = {name: new_tally(num_classes) for name in ['all pixels', *strategies]}
    per_class = {key: np.zeros(num_classes, np.int64) for key in CLASS_COUNTS}
    for idx in range(0, len(dataset), every):
        item = dataset[idx]
        gt = item['data_samples'].gt_sem_seg.data[0].numpy().astype(np.uint8)
        batch = model.data_preprocessor(pseudo_collate([item]), False)
        logits = model(batch['inputs'], mode='tensor')
        pred = F.interpolate(logits, size=gt.shape, mode='bilinear',
                             align_corners=False).argmax(dim=1)[0].numpy()
        prob1, prob2 = model.selector_probs(batch['inputs'], gt.shape)
        boundary = boundary_mask(gt, radius)
        count_classes(per_class, gt, pred, (prob1 + prob2)[0].argmax(dim=0).numpy(),
                      inconsistency_mask(prob1[0], prob2[0]).numpy())
        count(tallies['all pixels'], np.ones_like(boundary), gt, pred, boundary)
        for name in strategies:
            mask = rounds[name].select(prob1[0], prob2[0], round_idx, idx).numpy()
            count(tallies[name], mask, gt, pred, boundary)
    return ({name: summary(tally) for name, tally in tallies.items()},
            class_summary(per_class, dataset.metainfo['classes']))


def markdown(results: dict) -> str:
    """One row per strategy (and all pixels)."""
    lines = ['| picks | pixels | void | A wrong | near a boundary | classes covered |',
             '|---|---:|---:|---:|---:|---:|']
    for name, r in results.items():
        lines.append(f'| {name} | {r["pixels"]} | {r["void"]:.1%} | {r["a_wrong"]:.1%} | '
                     f'{r["near_boundary"]:.1%} | {r["classes_covered"]} |')
    return '\n'.join(lines)


def class_markdown(per_class: dict) -> str:
    """One row per ground-truth class."""
    lines = ['| class | pixels | in the inconsistency mask | A wrong | '
             "A's errors outside the mask | B wrong |", '|---|---:|---:|---:|---:|---:|']
    for name, r in per_class.items():
        lines.append(f'| {name} | {r["pixels"]} | {r["inconsistent"]:.1%} | {r["a_wrong"]:.1%} | '
                     f'{r["a_errors_outside_mask"]:.1%} | {r["b_wrong"]:.1%} |')
    return '\n'.join(lines)


def main() -> None:
    """Evaluate the strategies and print (and optionally save) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--strategies', nargs='+', default=['spl', 'ppl', 'random', 'entropy'],
                        choices=strategy_names())
    parser.add_argument('--every', type=int, default=5, help='score every n-th target image')
    parser.add_argument('--radius', type=int, default=2, help='boundary radius in pixels')
    parser.add_argument('--round', type=int, default=0, help="whose budget share to use")
    parser.add_argument('--out', help='also write the figures as JSON here')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='options applied to the config (MMEngine\'s dotted keys)')
    parser.add_argument('--hook-options', nargs='+', action=DictAction, default={},
                        help='<HookType>.<field>=<value> set on the hooks of that type, e.g. '
                             'PPLSelectionHook.boundary_radius=0 (PPL with the paper\'s rule)')
    args = parser.parse_args()
    if not Path(args.checkpoint).is_file():
        raise SystemExit(f'{args.checkpoint}: checkpoint not found')
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    cfg.merge_from_dict(hook_cfg_options(cfg.get('custom_hooks', []), args.hook_options))
    results, per_class = evaluate(cfg, args.checkpoint, args.strategies, args.every, args.radius,
                                  args.round)
    print(markdown(results))
    print()
    print(class_markdown(per_class))
    if args.out:
        Path(args.out).write_text(json.dumps(dict(picks=results, classes=per_class), indent=2))


if __name__ == '__main__':
    main()
