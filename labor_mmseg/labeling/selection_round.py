"""A selection round's one owner: strategy and options, budget schedule, per-image seeding,
oracle, and the store its answers go to.

The selection hooks (timing, DDP, logging), ``tools/analysis/selection_quality.py``,
``tools/benchmark/perf.py`` and ``tools/import_answers.py`` all go through this module, so each
computes a round's budget, draws and stores exactly as training does.
"""
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import Tensor

from ..selection import budget_in_pixels, get_strategy
from .label_store import QUERIED_VOID, LabelStore, write_atomic
from .label_studio import (
    IMAGE_URL,
    VOID_LABEL,
    ExportAnswers,
    LabelStudioExportError,
    export_round,
    read_export,
)
from .oracle import GroundTruthOracle, export_queries, import_answers, read_queries

ORACLES = ('ground_truth', 'human')
# LabOR's hooks: their strategy and defaults (the hooks' signatures and the tools read these).
PRESETS = {
    'SPLSelectionHook': dict(strategy='spl', budget=0.022, boundary_radius=1),
    'PPLSelectionHook': dict(strategy='ppl', budget=40, boundary_radius=1),
}


def round_budgets(total: int, num_rounds: int) -> list[int]:
    """Split a per-image budget into equal shares per round (remainder to the last rounds)."""
    share, rest = divmod(total, num_rounds)
    return [share + (1 if r >= num_rounds - rest else 0) for r in range(num_rounds)]


def with_boundary_radius(owner: str, strategy_cfg: dict | None, boundary_radius: int) -> dict:
    """``strategy_cfg`` with ``boundary_radius`` added (LabOR's hooks take it as their own
    argument; ValueError naming ``owner`` if ``strategy_cfg`` gives it too)."""
    strategy_cfg = dict(strategy_cfg or {})
    if 'boundary_radius' in strategy_cfg:
        raise ValueError(f'{owner}.strategy_cfg: give boundary_radius as {owner}.boundary_radius, '
                         f'not in strategy_cfg {strategy_cfg}')
    return dict(strategy_cfg, boundary_radius=boundary_radius)


class SelectionRound:
    """What a selection round does to one image: score -> pick -> ask.

    Args:
        strategy: Name in ``labor_mmseg.registry.SELECTION_STRATEGIES``.
        budget: Per image over all rounds: a fraction of pixels (float in (0, 1]) or a number
            of pixels (int), split equally between the ``num_rounds`` rounds; what a round
            leaves unspent on an image goes to its next round (:meth:`image_budget`).
        num_rounds: How many rounds share the budget.
        seed: Seed of the draws of ``random``; None until the owner sets it (the runner's).
        oracle: ``'ground_truth'`` (answers from the label files) or ``'human'`` (asked after
            the round, :meth:`ask` returns None).
        strategy_cfg: Keyword arguments of the strategy, checked now with one call on a
            one-pixel image.
        owner: Name used in errors (the config's hook type), so they name the config field.
    """

    def __init__(self, strategy: str = 'spl', budget: float | int = 0.022, num_rounds: int = 5,
                 seed: int | None = None, oracle: str = 'ground_truth',
                 strategy_cfg: dict | None = None, owner: str = 'SelectionRound') -> None:
        try:
            self.strategy = get_strategy(strategy)
        except KeyError as err:
            raise KeyError(f'{owner}.strategy: {err.args[0]}') from None
        self.strategy_name = strategy
        self.strategy_cfg = dict(strategy_cfg or {})
        try:
            probe = torch.full((2, 1, 1), 0.5)
            self.strategy(probe, probe.clone(), 1, **self.strategy_cfg)
        except (TypeError, ValueError) as err:
            raise type(err)(f'{owner}.strategy_cfg {self.strategy_cfg}: {err} (strategy '
                            f'{strategy!r})') from None
        try:
            budget_in_pixels(budget, 1 << 20)  # validate early, with the config's value
        except (TypeError, ValueError) as err:
            raise type(err)(f'{owner}.budget: {err}') from None
        if oracle not in ORACLES:
            raise ValueError(f"{owner}.oracle must be 'ground_truth' or 'human', got {oracle!r}")
        self.budget = budget
        self.num_rounds = num_rounds
        self.seed = seed
        self.oracle_name = oracle
        self.oracle = GroundTruthOracle() if oracle == 'ground_truth' else None
        self.store: LabelStore | None = None  # set by open_store

    @classmethod
    def from_hook_cfg(cls, hook_cfg: dict) -> 'SelectionRound':
        """The round a selection hook's config dict runs (``type``: ``ActiveSelectionHook`` or a
        :data:`PRESETS` hook), without building the hook; ``seed`` as the hook's."""
        cfg = dict(hook_cfg)
        owner = cfg.pop('type')
        preset = dict(PRESETS.get(owner, {}))
        radius = cfg.pop('boundary_radius', preset.pop('boundary_radius', None))
        if radius is not None:
            cfg['strategy_cfg'] = with_boundary_radius(owner, cfg.get('strategy_cfg'), radius)
        rounds = cfg.pop('rounds', (1,) * 5)
        kwargs = {k: cfg[k] for k in ('strategy', 'budget', 'seed', 'oracle', 'strategy_cfg')
                  if k in cfg}
        return cls(**{**preset, **kwargs}, num_rounds=len(rounds), owner=owner)

    def image_budget(self, num_pixels: int, round_idx: int, spent: int | None = None) -> int:
        """Round ``round_idx``'s share of one image's budget, plus what the earlier rounds'
        shares left unspent when the image has ``spent`` pixels so far (None: unknown, the
        share alone). A strategy that spends its whole share is unaffected; one that takes
        whole windows (RIPU regions) spends the image's budget to within one window over the
        run, instead of losing up to a window per round."""
        shares = round_budgets(budget_in_pixels(self.budget, num_pixels), self.num_rounds)
        if spent is None:
            return shares[round_idx]
        return max(0, sum(shares[:round_idx + 1]) - spent)

    def generator(self, round_idx: int, idx: int, device: torch.device) -> torch.Generator:
        """The draw of image ``idx`` in round ``round_idx``: per image, so sharding the images
        over ranks, or scoring only some (an analysis tool), does not change it."""
        if self.seed is None:
            raise RuntimeError('SelectionRound.seed is not set (the runner\'s seed, by default)')
        return torch.Generator(device).manual_seed(
            (self.seed * 1_000_003 + round_idx) * 1_000_003 + idx)

    def select(self, prob1: Tensor, prob2: Tensor, round_idx: int, idx: int,
               labeled: Tensor | None = None) -> Tensor:
        """This round's picks on image ``idx`` from B's ``[C, H, W]`` maps (``BoolTensor``)."""
        kwargs = dict(self.strategy_cfg)
        if self.strategy_name == 'random':
            kwargs['generator'] = self.generator(round_idx, idx, prob1.device)
        budget = self.image_budget(prob1.shape[1] * prob1.shape[2], round_idx,
                                   None if labeled is None else int(labeled.sum()))
        return self.strategy(prob1, prob2, budget, labeled=labeled, **kwargs)

    def ask(self, seg_map_path: str | os.PathLike, mask: np.ndarray) -> np.ndarray | None:
        """The oracle's answers at ``mask`` (255 where void), or None when a person answers."""
        return None if self.oracle is None else self.oracle.query(seg_map_path, mask)

    def open_store(self, root: str | os.PathLike, dataset: Any, create: bool) -> LabelStore:
        """Open (``create``: or create) the store of ``dataset``'s bought labels at ``root``.

        ``dataset`` is a ``SparseLabelDataset``; the store checks it is the dataset it was made
        for. Creating reads the target images' headers once, so the store knows the target
        set's size (one process creates, the others open it afterwards). The creating process
        is the one that writes: it takes the store's lock (``StoreInUseError`` naming the
        process that holds it: another training, an import).
        """
        inner = dataset.dataset
        signature = dict(type=type(inner).__name__, data_root=str(inner.data_root),
                         img_path=str(inner.data_prefix.get('img_path', '')),
                         num_images=len(inner))
        target = {}
        if create and not (Path(root) / 'manifest.json').exists():
            sizes = [Image.open(dataset.get_data_info(i)['img_path']).size
                     for i in range(len(dataset))]
            target = dict(target_images=len(sizes), target_pixels=sum(w * h for w, h in sizes))
        self.store = LabelStore(root, signature, num_classes=len(inner.metainfo['classes']),
                                **target)
        if create:
            self.store.lock()
        return self.store

    def store_answers(self, answers: Iterable[tuple[str, np.ndarray, np.ndarray]],
                      round_idx: int, iteration: int) -> dict[str, Any]:
        """Add the oracle's ``(key, queried, labels)`` to the store, commit the round and
        return its manifest entry (see :func:`store_round`)."""
        return store_round(self.store, answers, round_idx, iteration,
                           dict(strategy=self.strategy_name, oracle=self.oracle_name))

    def export_for_person(self, query_dir: str | os.PathLike,
                          queries: dict[str, np.ndarray], image_paths: dict[str, str],
                          round_idx: int, iteration: int, metainfo: dict,
                          image_url: str = IMAGE_URL) -> None:
        """Write the round's queries for a person (:func:`export_queries`), ``round.json``
        (what :func:`import_person_answers` needs to store the answers as this round, with the
        class names of ``metainfo``) and the round as Label Studio tasks
        (:func:`~.label_studio.export_round`, with ``metainfo``'s palette and ``image_url``)."""
        export_queries(queries, query_dir, image_paths)
        classes = list(metainfo['classes'])
        write_atomic(Path(query_dir) / 'round.json', json.dumps(dict(
            round=round_idx, iteration=iteration, strategy=self.strategy_name, classes=classes,
            label_dir=os.path.relpath(self.store.root.absolute(),
                                      Path(query_dir).absolute().parents[1]))).encode())
        export_round(query_dir, classes, metainfo['palette'], image_url)


def store_round(store: LabelStore, answers: Iterable[tuple[str, np.ndarray, np.ndarray]],
                round_idx: int, iteration: int, stats: dict[str, Any]) -> dict[str, Any]:
    """Add each ``(key, queried, labels)`` to ``store`` in key order, then commit the round.

    An image whose answers to all of ``queried`` are already in the store, uncommitted (added
    before the process was killed), is not added again, so a killed round completes as if it had
    not been interrupted. Returns the round's manifest entry.
    """
    done = store.uncommitted
    for key, queried, labels in sorted(answers, key=lambda a: a[0]):
        if key in done and (store.queried_mask(key, queried.shape) >= queried).all():
            continue
        store.add(key, labels, queried)
    store.commit_round(round_idx, iteration, stats)
    return store.manifest['rounds'][-1]


def exported_rounds(query_root: str | os.PathLike) -> list[Path]:
    """The round folders exported under ``query_root`` (``<work_dir>/queries``), by number."""
    return sorted((p.parent for p in Path(query_root).glob('round_*/round.json')),
                  key=lambda p: int(p.name.split('_')[1]))


def unanswered_rounds(query_root: str | os.PathLike, store: LabelStore) -> list[Path]:
    """The exported rounds whose answers are not in ``store`` yet, by number."""
    return [p for p in exported_rounds(query_root)
            if json.loads((p / 'round.json').read_text())['round'] not in store.completed_rounds]


def open_exported_round(query_dir: str | os.PathLike) -> tuple[dict, LabelStore]:
    """``round.json`` of the round exported in ``query_dir`` and the store its answers go to,
    locked for this process (``StoreInUseError`` naming the training or import that holds it).
    ValueError naming the store when the round is in it already."""
    query_dir = Path(query_dir)
    meta = json.loads((query_dir / 'round.json').read_text())
    store = LabelStore.open(query_dir.parents[1] / meta['label_dir'])
    store.lock()
    if meta['round'] in store.completed_rounds:
        store.unlock()
        raise ValueError(f'{query_dir.name}: round {meta["round"] + 1} is already in '
                         f'{store.manifest_path}')
    return meta, store


def import_person_answers(query_dir: str | os.PathLike,
                          answer_dir: str | os.PathLike) -> dict[str, Any]:
    """Store a person's answers (``<answer_dir>/<key>.png``) to the round exported in
    ``query_dir`` as that round (``oracle='human'``) and return its manifest entry.

    The answers are checked against the queries (:func:`import_answers`) before anything is
    stored; an import killed midway is completed by the next one, nothing asked twice.
    ValueError naming the store when the round is in it already.
    """
    meta, store = open_exported_round(query_dir)
    try:
        queries = read_queries(query_dir)
        answers = import_answers(answer_dir, queries, num_classes=store.num_classes)
        return store_round(store, ((key, mask, answers[key]) for key, mask in queries.items()),
                           meta['round'], meta['iteration'],
                           dict(strategy=meta['strategy'], oracle='human'))
    finally:
        store.unlock()


def import_label_studio_answers(query_dir: str | os.PathLike, export_json: str | os.PathLike,
                                allow_missing: bool = False) -> tuple[dict, ExportAnswers]:
    """Store the answers of a Label Studio JSON export of the round exported in ``query_dir``
    (:func:`~.label_studio.read_export`: the latest annotation of each task wins, strokes
    outside a query are clipped) as that round; return its manifest entry and what was read.

    The whole export is checked before anything is stored (a bad one raises
    ``LabelStudioExportError`` naming task and field, the store untouched). The void label,
    and a queried pixel left unpainted, is spent without a class, as 255 in an answer PNG.
    Queried images without a task or an annotation are an error naming them, unless
    ``allow_missing``: then they are not stored (nothing of them spent; a later round may ask
    them again) and listed in ``missing``. A killed import is completed by the next one, as
    :func:`import_person_answers`.
    """
    meta, store = open_exported_round(query_dir)
    try:
        queries = read_queries(query_dir)
        read = read_export(export_json, meta['classes'], queries, meta['round'], VOID_LABEL)
        if read.missing and not allow_missing:
            raise LabelStudioExportError(
                f'{len(read.missing)} queried images have no task or annotation in the export: '
                f'{", ".join(read.missing)} (answer them, or store the others with '
                'allow_missing)')
        answers = ((key, queries[key], np.where(labels == QUERIED_VOID, 255, labels))
                   for key, labels in read.answers.items())  # the store spends a queried 255
        entry = store_round(store, answers, meta['round'], meta['iteration'],
                            dict(strategy=meta['strategy'], oracle='human'))
        return entry, read
    finally:
        store.unlock()
