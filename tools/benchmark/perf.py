"""Performance ratios of LabOR's hot paths, all measured within one run (no absolute targets).

1. Selection post-processing on one Cityscapes-sized image (19 x 1024 x 2048 logits): time of
   ``select_spl`` / ``select_ppl`` against one softmax over the same logits, and peak memory
   of the post-processing (softmax of both heads + selection) against one logits tensor.
2. One LabOR train step against one AdaptSeg train step (same configs, batch and backbone), with
   model B sharing A's backbone (the default) and with B's own backbone; one LabOR step with
   self-training (``spl-st_synth``) against one without, and the teacher's parameters and
   buffers against A's.
3. One pass of a dataloader serving sparse labels from a ``LabelStore`` against the same pass
   serving the dense ground truth.

    python tools/benchmark/perf.py             # full run, about 3 minutes on 2 CPU cores
    python tools/benchmark/perf.py --quick     # small sizes, about 25 s (what the test runs)

Times are medians over repetitions interleaved in rotating order, so load from other processes
hits every variant alike. Writes ``<out>/perf.json`` and ``<out>/perf.md``.
"""
import argparse
import copy
import ctypes
import gc
import json
import math
import multiprocessing
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import DATASETS, MODELS
from mmseg.structures import SegDataSample
from torch import Tensor
from torch.utils.data import DataLoader

try:
    import labor_mmseg  # noqa: F401  (registers components)
except ImportError:  # not installed: use the checkout this script is in
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import labor_mmseg  # noqa: F401

from readme_sections import RESULTS_README, update_section  # beside this script

from labor_mmseg.datasets import SparseLabelDataset
from labor_mmseg.datasets.synthetic import generate_synthetic_benchmark
from labor_mmseg.labeling import GroundTruthOracle, LabelStore, SelectionRound
from labor_mmseg.selection import inconsistency_mask

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 5
# What SPLSelectionHook / PPLSelectionHook run with their defaults over the configs' 5 rounds
# (the rounds their configs give, built as a hook would, without a hook); the benchmark times
# the first round (nothing labeled yet).
SELECTION_ROUNDS = {name: SelectionRound.from_hook_cfg(dict(type=hook, rounds=range(ROUNDS)))
                    for name, hook in (('spl', 'SPLSelectionHook'), ('ppl', 'PPLSelectionHook'))}
# RIPU's two strategies (configs/labor/ripu-*), with SPL's and PPL's budgets and their defaults.
SELECTION_ROUNDS |= {
    name: SelectionRound.from_hook_cfg(dict(type='ActiveSelectionHook', strategy=name,
                                            budget=SELECTION_ROUNDS[labor].budget,
                                            rounds=range(ROUNDS)))
    for name, labor in (('ripu_regions', 'spl'), ('ripu_pixels', 'ppl'))}
STRATEGIES = {name: partial(r.strategy, **r.strategy_cfg) for name, r in SELECTION_ROUNDS.items()}
LABELS = {'spl': 'SPL', 'ppl': 'PPL', 'ripu_regions': 'RIPU regions', 'ripu_pixels': 'RIPU pixels'}
BUDGETS = {name: r.budget for name, r in SELECTION_ROUNDS.items()}
NUM_CLASSES = 19  # Cityscapes train ids
HEADS = ('correlated', 'independent')
LOGIT_STD = 3.0  # spread of the shared base logits
HEAD_NOISE = 0.1  # per-head noise on them: about 5% of the pixels' argmaxes differ (19 classes)
M_MMAP_THRESHOLD, MMAP_THRESHOLD = -3, 64 * 1024  # glibc mallopt parameter, value in bytes
CHUNK_ROWS = 32  # inputs are filled this many rows at a time (no full-size temporaries)
TARGETS = {'selection_time': 3.0, 'selection_memory': 4.0, 'train_step': 1.3, 'dataloader': 1.05,
           'self_training_step': 1.6, 'teacher_memory': 1.0}
SPARSE_FRACTION = 0.02  # labels in the store per target image
DATA_BATCH = 4  # as the synthetic configs' train_dataloader


@dataclass(frozen=True)
class Settings:
    """Sizes and repetitions of one mode."""

    logits_shape: tuple[int, int, int]
    selection_repeats: int
    train_size: tuple[int, int]
    train_batch: int
    train_warmup: int
    train_steps: int
    data_passes: int


MODES = {
    'default': Settings(logits_shape=(NUM_CLASSES, 1024, 2048), selection_repeats=7,
                        train_size=(128, 256), train_batch=2, train_warmup=3, train_steps=30,
                        data_passes=60),
    'quick': Settings(logits_shape=(NUM_CLASSES, 256, 512), selection_repeats=3,
                      train_size=(64, 128), train_batch=2, train_warmup=1, train_steps=3,
                      data_passes=3),
}


def synchronize(device: torch.device) -> None:
    """Wait for queued kernels on ``device`` (a no-op on CPU)."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def interleaved_medians(fns: dict[str, Callable[[], object]], repeats: int, warmup: int,
                        device: torch.device) -> dict[str, float]:
    """Median seconds per call of each function; every round calls each once, in rotating order.

    The first ``warmup`` rounds are not timed.
    """
    names = list(fns)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(warmup + repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            synchronize(device)
            start = time.perf_counter()
            fns[name]()
            synchronize(device)
            if r >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def ratio(name: str, label: str, value: float, target: float | None) -> dict:
    """One reported ratio with its target (None: reported for information) and verdict."""
    return dict(name=name, label=label, value=value, target=target,
                passed=None if target is None else value <= target)


# 1. Selection post-processing ------------------------------------------------------------------


def make_logits(shape: tuple[int, int, int], heads: str, seed: int,
                device: torch.device) -> tuple[Tensor, Tensor]:
    """Logit maps of B's two heads for one image, filled in row chunks (no large temporaries).

    ``correlated``: shared base logits (std ``LOGIT_STD``) plus small per-head noise, so about
    5% of the pixels are inconsistent (realistic); ``independent``: unrelated maps, ~95%
    inconsistent (the worst case).
    """
    generator = torch.Generator(device).manual_seed(seed)
    first = torch.empty(shape, device=device)
    second = torch.empty(shape, device=device)
    for a, b in zip(first.split(CHUNK_ROWS, dim=1), second.split(CHUNK_ROWS, dim=1), strict=True):
        a.normal_(std=LOGIT_STD, generator=generator)
        if heads == 'correlated':
            b.copy_(a).add_(torch.randn(a.shape, generator=generator, device=device),
                            alpha=HEAD_NOISE)
            a.add_(torch.randn(a.shape, generator=generator, device=device), alpha=HEAD_NOISE)
        else:
            b.normal_(std=LOGIT_STD, generator=generator)
    return first, second


def softmax_in_place(logits: Tensor) -> Tensor:
    """Softmax over classes of a ``[C, H, W]`` map, in place, in row chunks."""
    for chunk in logits.split(CHUNK_ROWS, dim=1):
        chunk.copy_(chunk.softmax(dim=0))
    return logits


def image_budgets(shape: tuple[int, int, int]) -> dict[str, int]:
    """Pixels each strategy selects per image in one round, as the selection hooks compute it."""
    return {name: r.image_budget(shape[1] * shape[2], 0) for name, r in SELECTION_ROUNDS.items()}


def post_process(logits1: Tensor, logits2: Tensor, strategy: str, budget: int,
                 labeled: Tensor) -> Tensor:
    """The full post-processing of one image: softmax of both heads' logits, then selection."""
    return STRATEGIES[strategy](logits1.softmax(dim=0), logits2.softmax(dim=0), budget, labeled)


def status_kib(field: str) -> int:
    """A ``VmXxx`` field of /proc/self/status, in KiB."""
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith(field + ':'):
            return int(line.split()[1])
    raise KeyError(field)


def peak_bytes(fn: Callable[[], object], device: torch.device) -> int:
    """Peak memory ``fn`` allocates beyond what is allocated when it starts.

    CUDA: ``torch.cuda.max_memory_allocated`` after resetting the peak statistics. CPU: the
    process's resident-set high-water mark (``VmHWM``, the counter ``getrusage`` reports as
    ``ru_maxrss``), reset to the current RSS through ``/proc/self/clear_refs`` just before the
    call. ``ru_maxrss`` itself cannot be reset and, after ``exec``, starts at the parent's high-
    water mark, so it is unusable in a child of a large process.
    """
    gc.collect()
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        base = torch.cuda.memory_allocated(device)
        fn()
        torch.cuda.synchronize(device)
        return torch.cuda.max_memory_allocated(device) - base
    Path('/proc/self/clear_refs').write_text('5')  # VmHWM := VmRSS (Linux >= 4.0)
    base = status_kib('VmRSS')
    fn()
    return (status_kib('VmHWM') - base) * 1024


def fixed_mmap_threshold() -> None:
    """Make glibc serve every allocation of ``MMAP_THRESHOLD`` bytes or more with its own
    ``mmap``, unmapped on free (no dynamic threshold, no reuse of freed heap), so that the RSS
    high-water mark follows the peak of the tensors allocated."""
    if not ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD):
        raise RuntimeError('mallopt(M_MMAP_THRESHOLD) failed')


def selection_peak(spec: dict) -> int:
    """Peak bytes of one selection (``scope='selection'``: from probabilities) or one whole
    post-processing (``scope='post_process'``: from logits), beyond its inputs.

    Runs in a fresh process per measurement; a call on a small input first makes the code
    pages and thread pools resident, so that they are not counted.
    """
    torch.set_num_threads(spec['threads'])
    device = torch.device(spec['device'])
    if device.type == 'cpu':
        fixed_mmap_threshold()
    shape = tuple(spec['shape'])
    strategy, budget = spec['strategy'], spec['budget']

    def inputs(size: tuple[int, int, int]) -> tuple[Tensor, Tensor, Tensor]:
        logits = make_logits(size, spec['heads'], 0, device)
        if spec['scope'] == 'selection':
            logits = tuple(softmax_in_place(x) for x in logits)
        return *logits, torch.zeros(size[1:], dtype=torch.bool, device=device)

    def run(first: Tensor, second: Tensor, labeled: Tensor) -> Tensor:
        if spec['scope'] == 'selection':
            return STRATEGIES[strategy](first, second, budget, labeled)
        return post_process(first, second, strategy, budget, labeled)

    small = inputs((shape[0], 64, 128))
    run(*small)
    del small
    full = inputs(shape)
    return peak_bytes(lambda: run(*full), device)


def time_selection(logits: tuple[Tensor, Tensor], budgets: dict[str, int], repeats: int,
                   device: torch.device) -> dict:
    """Median times of one softmax, of each selection and of each whole post-processing."""
    probs = tuple(x.softmax(dim=0) for x in logits)
    labeled = torch.zeros(logits[0].shape[1:], dtype=torch.bool, device=device)
    fns: dict[str, Callable[[], object]] = {'softmax': lambda: logits[0].softmax(dim=0)}
    for strategy, select in STRATEGIES.items():
        budget = budgets[strategy]
        fns[strategy] = lambda s=select, b=budget: s(*probs, b, labeled)
        fns[f'{strategy}_post_process'] = (
            lambda s=strategy, b=budget: post_process(*logits, s, b, labeled))
    return dict(inconsistent_fraction=inconsistency_mask(*probs).float().mean().item(),
                time_s=interleaved_medians(fns, repeats, 1, device))


def bench_selection(settings: Settings, device: torch.device, threads: int) -> dict:
    """Timings (interleaved, in this process) and peak memory (fresh processes) of selection."""
    shape = settings.logits_shape
    budgets = image_budgets(shape)
    specs = [dict(shape=shape, heads=heads, strategy=strategy, budget=budgets[strategy],
                  scope=scope, device=str(device), threads=threads)
             for heads in HEADS for strategy in STRATEGIES
             for scope in ('selection', 'post_process')]
    context = multiprocessing.get_context('forkserver')
    # The server imports the heavy modules once; each probe is a fresh fork of it, which then
    # only re-runs this script's own top level.
    context.set_forkserver_preload(['labor_mmseg'])
    with ProcessPoolExecutor(1, mp_context=context, max_tasks_per_child=1) as pool:
        peaks = list(pool.map(selection_peak, specs))
    logits_bytes = 4 * math.prod(shape)  # float32
    result = dict(shape=list(shape), logits_bytes=logits_bytes, budgets=budgets, heads={})
    for heads in HEADS:
        peak = {spec['strategy'] + ('' if spec['scope'] == 'selection' else '_post_process'):
                value for spec, value in zip(specs, peaks, strict=True) if spec['heads'] == heads}
        result['heads'][heads] = dict(
            **time_selection(make_logits(shape, heads, 0, device), budgets,
                             settings.selection_repeats, device),
            peak_bytes=peak)
    return result


def selection_ratios(result: dict) -> list[dict]:
    """Time ratios against one softmax and memory ratios against one logits tensor."""
    size = 'x'.join(map(str, result['shape']))
    ratios = []
    for heads, res in result['heads'].items():
        softmax = res['time_s']['softmax']
        for strategy in STRATEGIES:
            name = f'selection.{heads}.{strategy}'
            ratios += [
                ratio(f'{name}.time', f'{LABELS[strategy]} selection / one softmax '
                      f'({heads} heads, {size})', res['time_s'][strategy] / softmax,
                      TARGETS['selection_time']),
                ratio(f'{name}.time_incl_softmax', f'{LABELS[strategy]} incl. both softmaxes '
                      f'/ one softmax ({heads} heads)',
                      res['time_s'][f'{strategy}_post_process'] / softmax, None)]
        for strategy in STRATEGIES:
            for suffix, what in (('', 'selection'), ('_post_process', 'post-processing')):
                ratios.append(ratio(
                    f'selection.{heads}.{strategy}.peak_memory{suffix}',
                    f'{LABELS[strategy]} {what} peak memory / one logits tensor ({heads} heads)',
                    res['peak_bytes'][strategy + suffix] / result['logits_bytes'],
                    TARGETS['selection_memory']))
    return ratios


# 2. Train step -----------------------------------------------------------------------------------


def domain_batch(n: int, size: tuple[int, int], labeled_fraction: float, seed: int) -> dict:
    """``n`` random uint8 images with labels on ``labeled_fraction`` of the pixels (255 else)."""
    generator = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for _ in range(n):
        inputs.append(torch.randint(0, 256, (3, *size), generator=generator, dtype=torch.uint8))
        labels = torch.randint(0, NUM_CLASSES, (1, *size), generator=generator)
        labels[torch.rand(1, *size, generator=generator) >= labeled_fraction] = 255
        samples.append(SegDataSample(gt_sem_seg=PixelData(data=labels),
                                     metainfo=dict(img_shape=size, ori_shape=size)))
    return dict(inputs=inputs, data_samples=samples)


def build_labor(config: str, own_backbone: bool, device: torch.device) -> tuple:
    """Model and ``OptimWrapperDict`` of ``configs/labor/<config>.py``; ``own_backbone`` gives
    model B a copy of the segmentor's backbone config."""
    cfg = Config.fromfile(REPO / 'configs' / 'labor' / f'{config}.py')
    if own_backbone:
        cfg.model.selector_backbone = copy.deepcopy(cfg.model.segmentor.backbone)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.to(device).train()
    return model, build_optim_wrapper(model, cfg.optim_wrapper)


def bench_train_step(settings: Settings, device: torch.device) -> dict:
    """Median time of one train step per variant, steps interleaved across the variants."""
    variants = {'adaptseg': ('adaptseg_synth', False), 'labor': ('spl_synth', False),
                'labor_own_backbone': ('spl_synth', True),
                'labor_self_training': ('spl-st_synth', False)}
    models = {name: build_labor(config, own, device) for name, (config, own) in variants.items()}
    n, size = settings.train_batch, settings.train_size
    # One batch for every step: preprocessing returns new tensors and padding it is idempotent.
    batch = dict(source=domain_batch(n, size, 1.0, 0),
                 target=domain_batch(n, size, BUDGETS['spl'], 1))
    fns = {name: (lambda m=model, w=wrapper: m.train_step(batch, w))
           for name, (model, wrapper) in models.items()}
    times = interleaved_medians(fns, settings.train_steps, settings.train_warmup, device)
    return dict(
        batch=f'{n}+{n} at {size[0]}x{size[1]}', warmup=settings.train_warmup,
        steps=settings.train_steps, time_s=times,
        parameters={name: sum(p.numel() for p in model.parameters())
                    for name, (model, _) in models.items()},
        # Elements of the teacher's and of A's parameters and buffers (the teacher's step
        # counter aside).
        teacher_elements=elements(models['labor_self_training'][0].self_training.model),
        segmentor_elements=elements(models['labor_self_training'][0].segmentor),
        optimizers={name: sorted(wrapper.keys()) for name, (_, wrapper) in models.items()})


def elements(module: torch.nn.Module) -> int:
    """Numbers a module keeps: its parameters' and buffers' elements."""
    return sum(t.numel() for t in (*module.parameters(), *module.buffers()))


def train_ratios(result: dict) -> list[dict]:
    """LabOR (each selector variant) against AdaptSeg, own against shared backbone, and
    self-training against none (time, and the teacher's memory against A's)."""
    t = result['time_s']
    return [
        ratio('train_step.self_training', 'LabOR step with self-training / without (mean '
              'teacher, ClassMix)', t['labor_self_training'] / t['labor'],
              TARGETS['self_training_step']),
        ratio('train_step.teacher_memory', 'Teacher\'s parameters and buffers / A\'s',
              result['teacher_elements'] / result['segmentor_elements'],
              TARGETS['teacher_memory']),
        # SPL's and PPL's configs train alike (selection runs between steps), both with
        # class-adaptive pseudo-labels for B (pseudo_label_class_fraction): one sort a batch.
        ratio('train_step.labor', 'LabOR step / AdaptSeg step (B shares A\'s backbone)',
              t['labor'] / t['adaptseg'], TARGETS['train_step']),
        # Not the default, and no target: B's own backbone adds a backbone forward and backward
        # on the target batch to A's two, about 1.5 x whatever the implementation.
        ratio('train_step.labor_own_backbone', 'LabOR step / AdaptSeg step (B has its own '
              'backbone, optional)', t['labor_own_backbone'] / t['adaptseg'], None),
        ratio('train_step.own_vs_shared_backbone', 'LabOR step, own / shared backbone',
              t['labor_own_backbone'] / t['labor'], None)]


# 3. Dataloader -----------------------------------------------------------------------------------


def build_datasets(root: Path) -> tuple:
    """The synthetic target train set with dense labels, and wrapped with sparse labels
    (``SPARSE_FRACTION`` of each image's pixels, ground truth via the oracle) from a store."""
    meta = generate_synthetic_benchmark(root / 'data', num_source=4, num_target_train=32,
                                        num_target_val=4, workers=1, progress=False)
    cfg = Config.fromfile(REPO / 'configs' / '_base_' / 'datasets' / 'synthetic.py')
    dense_cfg = copy.deepcopy(cfg.target_train)
    dense_cfg.data_root = str(root / 'data' / 'cityscapes')
    dense = DATASETS.build(dense_cfg)
    sparse = SparseLabelDataset(dataset=dense_cfg, label_store=str(root / 'store'))
    store = LabelStore(root / 'store', dict(type='CityscapesDataset', num_images=len(dense)))
    oracle = GroundTruthOracle()
    rng = np.random.default_rng(0)
    for idx in range(len(sparse)):
        mask = rng.random((meta['height'], meta['width'])) < SPARSE_FRACTION
        store.add(sparse.key(idx), oracle.query(sparse.get_data_info(idx)['gt_seg_map_path'], mask))
    return dense, sparse


def interleaved_passes(loaders: dict[str, DataLoader], passes: int) -> dict[str, float]:
    """Median seconds of one pass over each loader, batches of the loaders taken in turn.

    Each batch is fetched from every loader back to back (rotating order), so load from other
    processes hits the loaders alike; numpy is reseeded per batch, so they flip alike. The
    first pass is not timed.
    """
    names = list(loaders)
    times: dict[str, list[float]] = {name: [] for name in names}
    for p in range(passes + 1):
        iterators = {name: iter(loader) for name, loader in loaders.items()}
        total = dict.fromkeys(names, 0.0)
        for b in range(len(loaders[names[0]])):
            shift = (p + b) % len(names)
            for name in names[shift:] + names[:shift]:
                np.random.seed(b)
                start = time.perf_counter()
                next(iterators[name])
                total[name] += time.perf_counter() - start
        if p:
            for name in names:
                times[name].append(total[name])
    return {name: statistics.median(t) for name, t in times.items()}


def bench_dataloader(settings: Settings) -> dict:
    """Median time of one pass over all items with dense and with sparse labels."""
    with tempfile.TemporaryDirectory(prefix='labor_perf_') as tmp:
        datasets = dict(zip(('dense', 'sparse'), build_datasets(Path(tmp)), strict=True))
        loaders = {name: DataLoader(dataset, batch_size=DATA_BATCH, num_workers=0,
                                    collate_fn=pseudo_collate)
                   for name, dataset in datasets.items()}
        times = interleaved_passes(loaders, settings.data_passes)
        items = len(datasets['dense'])
    return dict(items=items, batch_size=DATA_BATCH, passes=settings.data_passes,
                labeled_fraction=SPARSE_FRACTION, time_s=times,
                ms_per_item={name: 1000 * t / items for name, t in times.items()})


def dataloader_ratios(result: dict) -> list[dict]:
    """Sparse-label pass against dense-label pass."""
    t = result['time_s']
    return [ratio('dataloader.sparse_vs_dense', 'Dataloader pass, sparse labels from the store / '
                  'dense labels', t['sparse'] / t['dense'], TARGETS['dataloader'])]


# Report ------------------------------------------------------------------------------------------


METHOD = [
    'Every figure is a ratio of two quantities measured in this run; times are medians of '
    'repetitions in which the variants run in rotating order (untimed warm-up first), so load '
    'from other processes affects them alike.',
    'Selection: per image, inputs `[C, H, W]` float32. Correlated heads = shared base logits '
    f'(std {LOGIT_STD}) + per-head noise (std {HEAD_NOISE}); independent heads = unrelated '
    'random logits (worst case). "Selection" = `select_spl`/`select_ppl` on the two softmax maps '
    '(target applies; likewise RIPU\'s `select_ripu_regions`/`select_ripu_pixels`, with SPL\'s and '
    'PPL\'s budgets); "incl. softmax" = the whole post-processing, both softmaxes + selection; '
    'both are divided by ONE `softmax(dim=0)` over one logits map. Budgets: one of the 5 rounds of '
    'the hooks\' defaults (SPL 2.2%, PPL 40 points per image), nothing labeled yet.',
    'Peak memory: each measurement in a fresh process (forked from a clean fork server), after a '
    'warm-up call on a small input. CUDA: `torch.cuda.max_memory_allocated` minus the allocation '
    'at the start. CPU: the resident-set high-water mark `VmHWM` (what `getrusage` reports as '
    '`ru_maxrss`) reset to the current RSS via `/proc/self/clear_refs` once the inputs exist, '
    'minus that RSS; `ru_maxrss` itself cannot be reset and after `exec` starts at the parent\'s '
    'high-water mark. The target (4x one logits tensor) applies to the selection alone and to '
    'the whole post-processing (which holds both probability maps, 2x, by itself).',
    'Train step: models from `configs/labor/adaptseg_synth.py`, `spl_synth.py` and '
    '`ppl_synth.py` (own backbone: '
    '`model.selector_backbone` = a copy of the segmentor\'s backbone config), optimizers from '
    'their `optim_wrapper`; one random batch (source fully labeled, target 2.2% labeled) for '
    'every step of every variant.',
    'Dataloader: the synthetic target train set (32 images, 128x256), `CityscapesDataset` with '
    'the synthetic pipeline (LoadImageFromFile, LoadAnnotations, RandomFlip, PackSegInputs) vs '
    f'`SparseLabelDataset` over it with a `LabelStore` holding {SPARSE_FRACTION:.0%} of each '
    f'image\'s pixels; `DataLoader(batch_size={DATA_BATCH}, num_workers=0)`, one pass = all '
    'items; the two loaders\' batches are fetched in turn, numpy reseeded per batch so both '
    'variants flip alike.',
]


def fmt_target(target: float | None) -> str:
    """``<= 3x`` or a dash."""
    return '-' if target is None else f'<= {target:g}x'


def fmt_verdict(passed: bool | None) -> str:
    """pass / FAIL / info."""
    return 'info' if passed is None else ('pass' if passed else 'FAIL')


def markdown(report: dict) -> str:
    """The report as markdown: the ratio table, then the raw figures and the method."""
    meta, sel, train, data = (report[k] for k in ('meta', 'selection', 'train_step',
                                                  'dataloader'))
    lines = ['# Performance ratios', '',
             f'Mode `{meta["mode"]}`, device `{meta["device"]}`, {meta["threads"]} torch '
             f'thread(s) on {meta["cpu_count"]} CPUs, torch {meta["torch"]}, '
             f'{meta["elapsed_s"]:.0f} s in all.', '',
             '| measurement | ratio | target | result |', '|---|---:|---:|---|']
    lines += [f'| {r["label"]} | {r["value"]:.2f}x | {fmt_target(r["target"])} | '
              f'{fmt_verdict(r["passed"])} |' for r in report['ratios']]
    mb = sel['logits_bytes'] / 2**20
    names = list(STRATEGIES)
    lines += ['', f'## Selection post-processing ({"x".join(map(str, sel["shape"]))} logits, '
              f'{mb:.1f} MiB each)', '',
              f'Budgets of one round: SPL {sel["budgets"]["spl"]} pixels, PPL '
              f'{sel["budgets"]["ppl"]} points, RIPU regions {sel["budgets"]["ripu_regions"]} '
              f'pixels, RIPU pixels {sel["budgets"]["ripu_pixels"]} points. Times in ms, peaks '
              'in MiB.', '',
              '| heads | inconsistent | softmax | '
              + ' | '.join([LABELS[n] for n in names] + [f'{LABELS[n]} incl. softmax'
                                                        for n in names]) + ' | '
              + ' | '.join(f'{LABELS[n]} peak | {LABELS[n]} incl. softmax peak'
                           for n in names) + ' |', '|---|' + '---:|' * (2 + 4 * len(names))]
    for heads, res in sel['heads'].items():
        t, p = res['time_s'], res['peak_bytes']
        cells = [f'{res["inconsistent_fraction"]:.1%}']
        cells += [f'{1000 * t[k]:.1f}' for k in ['softmax', *names,
                                                 *(f'{n}_post_process' for n in names)]]
        cells += [f'{p[k] / 2**20:.1f}' for n in names for k in (n, f'{n}_post_process')]
        lines.append(f'| {heads} | ' + ' | '.join(cells) + ' |')
    lines += ['', f'## Train step (batch {train["batch"]}, {train["warmup"]} warm-up + '
              f'{train["steps"]} timed steps each)', '',
              '| variant | optimizers | parameters | median step (ms) |', '|---|---|---:|---:|']
    lines += [f'| {name} | {", ".join(train["optimizers"][name])} | '
              f'{train["parameters"][name]:,} | {1000 * t:.1f} |'
              for name, t in train['time_s'].items()]
    lines += ['', f'## Dataloader ({data["items"]} items, batch {data["batch_size"]}, '
              f'{data["passes"]} timed passes each)', '',
              '| labels | median pass (ms) | per item (ms) |', '|---|---:|---:|']
    lines += [f'| {name} | {1000 * t:.1f} | {data["ms_per_item"][name]:.2f} |'
              for name, t in data['time_s'].items()]
    lines += ['', '## Method', ''] + [f'- {item}' for item in METHOD]
    return '\n'.join(lines) + '\n'


def main() -> None:
    """Run the three benchmarks, print the markdown summary, write perf.json and perf.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='small sizes (what the test runs)')
    parser.add_argument('--out', default=str(REPO / 'benchmarks'), help='output directory')
    parser.add_argument('--train-size', type=int, nargs=2, metavar=('H', 'W'),
                        help='train step image size (default 128 256; quick 64 128)')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads (default 1: steadier on shared cores)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu',
                        help='device of the selection and train-step benchmarks')
    parser.add_argument('--readme', action='store_true',
                        help=f'also write the ratio table into {RESULTS_README}')
    args = parser.parse_args()
    mode = 'quick' if args.quick else 'default'
    settings = MODES[mode]
    if args.train_size:
        settings = Settings(**{**vars(settings), 'train_size': tuple(args.train_size)})
    start = time.perf_counter()
    torch.set_num_threads(args.threads)
    init_default_scope('mmseg')
    MMLogger.get_instance('labor_perf', log_level='WARNING')  # quiet init_weights
    device = torch.device(args.device)
    report = dict(selection=bench_selection(settings, device, args.threads),
                  train_step=bench_train_step(settings, device),
                  dataloader=bench_dataloader(settings))
    report['ratios'] = (selection_ratios(report['selection'])
                        + train_ratios(report['train_step'])
                        + dataloader_ratios(report['dataloader']))
    report['meta'] = dict(mode=mode, device=str(device), threads=args.threads,
                          cpu_count=multiprocessing.cpu_count(), torch=torch.__version__,
                          python=platform.python_version(), platform=platform.platform(),
                          targets=TARGETS, method=METHOD,
                          elapsed_s=time.perf_counter() - start)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / 'perf.json').write_text(json.dumps(report, indent=2) + '\n')
    text = markdown(report)
    (out / 'perf.md').write_text(text)
    print(text)
    if args.readme:
        ratios = text.split('\n## ')[0].split('\n', 2)[2]  # the ratio table and its header
        update_section(REPO, 'perf',
                       f'{ratios.strip()}\n\nDetails and method: `benchmarks/perf.md`.')


if __name__ == '__main__':
    main()
