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

from ..registry import ORACLES
from ..selection import budget_in_pixels, get_strategy
from .effort import review_effort
from .label_store import LabelStore, read_label_png, write_atomic, write_png
from .label_studio import VOID_LABEL, ExportAnswers, LabelStudioExportError, read_export
from .oracle import export_queries, import_answers, read_queries
from .oracles import Oracle, RoundRequest
from .proposals import Proposals, make_proposals

# Short names of the oracles that take no options (a hook's ``oracle='human'``).
ORACLE_ALIASES = {'ground_truth': 'GroundTruthOracle', 'human': 'FileOracle'}
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
        oracle: An oracle config (``dict(type=...)`` in ``labor_mmseg.registry.ORACLES``), an
            :class:`~.oracles.Oracle`, or a short name: ``'ground_truth'`` (the label files)
            or ``'human'`` (``FileOracle``: a person answers offline).
        strategy_cfg: Keyword arguments of the strategy, checked now with one call on a
            one-pixel image.
        owner: Name used in errors (the config's hook type), so they name the config field.
    """

    def __init__(self, strategy: str = 'spl', budget: float | int = 0.022, num_rounds: int = 5,
                 seed: int | None = None, oracle: str | dict | Oracle = 'ground_truth',
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
        self.budget = budget
        self.num_rounds = num_rounds
        self.seed = seed
        self.set_oracle(oracle, f'{owner}.oracle')
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
        if budget == 0:  # a budget smaller than the rounds (2 points over 5): later rounds buy
            return torch.zeros(prob1.shape[1:], dtype=torch.bool, device=prob1.device)
        return self.strategy(prob1, prob2, budget, labeled=labeled, **kwargs)

    def set_oracle(self, oracle: str | dict | Oracle, field: str) -> None:
        """Who answers: ``oracle`` built now (:func:`build_oracle`; errors name ``field``)."""
        self.oracle_cfg = oracle
        self.oracle = build_oracle(oracle, field)

    @property
    def points(self) -> bool:
        """Whether a person is asked points (a number of pixels per image, one keypoint each)
        rather than regions (a fraction of the pixels, brush regions)."""
        return isinstance(self.budget, int)

    def request(self, round_idx: int, iteration: int, picks: Iterable[tuple[str, np.ndarray,
                np.ndarray]], dataset: Any, query_dir: str | os.PathLike, title: str = '',
                resume_command: str = '') -> RoundRequest:
        """The round's questions from its ``(key, queried, predicted)`` picks (``predicted``:
        A's class map) on ``dataset`` (a ``SparseLabelDataset``); images without a query are
        left out."""
        picks = [(key, mask, pred) for key, mask, pred in picks if mask.any()]
        return with_dataset_files(RoundRequest(
            run_id=self.store.run_id, round_idx=round_idx, iteration=iteration,
            strategy=self.strategy_name, queries={key: mask for key, mask, _ in picks},
            proposals={key: make_proposals(mask, pred, self.points) for key, mask, pred in picks},
            image_paths={}, label_paths={}, classes=list(dataset.metainfo['classes']),
            palette=list(dataset.metainfo['palette']), query_dir=Path(query_dir), title=title,
            resume_command=resume_command), dataset)

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

    def ask(self, request: RoundRequest) -> dict[str, np.ndarray]:
        """The oracle's answers (:meth:`~.oracles.Oracle.ask`); a person's oracle gets the
        round's queries saved first (:func:`save_request`). A round without a query asks no
        one."""
        if not request.queries:
            return {}
        if self.oracle.person:
            save_request(request, self.store)
        return self.oracle.ask(request)

    def store_answers(self, request: RoundRequest,
                      answers: dict[str, np.ndarray]) -> dict[str, Any]:
        """Add the oracle's answers to the store, commit the round and return its manifest
        entry (:func:`store_round`), with what reviewing A's proposals cost (``review``)."""
        return store_request(self.store, request, answers, self.oracle.stats_name)


def with_dataset_files(request: RoundRequest, dataset: Any) -> RoundRequest:
    """``request`` with the image and ground-truth file of each queried image from ``dataset``
    (a ``SparseLabelDataset``)."""
    infos = {dataset.key(i): i for i in range(len(dataset))}
    for key in request.queries:
        info = dataset.get_data_info(infos[key])
        request.image_paths[key] = info['img_path']
        request.label_paths[key] = info['gt_seg_map_path']
    return request


def build_oracle(oracle: str | dict | Oracle, field: str) -> Oracle:
    """An oracle from a hook's ``oracle`` (config, instance or short name); errors name
    ``field``."""
    if isinstance(oracle, Oracle):
        return oracle
    cfg = dict(type=oracle) if isinstance(oracle, str) else dict(oracle)
    name = cfg.pop('type', None)
    cls = ORACLES.get(ORACLE_ALIASES.get(name, name)) if isinstance(name, str) else None
    if cls is None:
        raise KeyError(f'{field}: unknown oracle type {name!r}; registered: '
                       f'{sorted(ORACLES.module_dict)}, or {sorted(ORACLE_ALIASES)}')
    try:
        return cls(**cfg)
    except (TypeError, ValueError) as err:
        raise type(err)(f'{field} {oracle!r}: {err}') from None


def save_request(request: RoundRequest, store: LabelStore) -> None:
    """Keep a round's questions in ``request.query_dir``: the queries
    (:func:`~.oracle.export_queries`), A's class at each queried pixel (``proposals/<key>.png``,
    255 elsewhere) and ``round.json`` (``round``: its number, 1-based, as everywhere a person
    reads it), so that a resumed run asks the same questions and an
    import stores the answers as this round of this run."""
    out = request.query_dir
    export_queries(request.queries, out, request.image_paths)
    for key, proposals in request.proposals.items():
        predicted = np.full(proposals.ids.shape, 255, np.uint8)
        inside = proposals.ids > 0
        predicted[inside] = proposals.classes[proposals.ids[inside] - 1]
        write_png(out / 'proposals' / f'{key}.png', predicted)
    write_atomic(out / 'round.json', json.dumps(dict(
        run=request.run_id, round=request.number, iteration=request.iteration,
        strategy=request.strategy, classes=request.classes,
        palette=[list(map(int, c)) for c in request.palette],
        points=request.points, title=request.title, resume_command=request.resume_command,
        label_dir=os.path.relpath(store.root.absolute(), out.absolute().parents[1]))).encode())


def load_request(query_dir: str | os.PathLike) -> RoundRequest:
    """The round saved by :func:`save_request` (``label_paths`` empty: not kept).
    ValueError naming the file when one is missing or does not match."""
    query_dir = Path(query_dir)
    meta = json.loads((query_dir / 'round.json').read_text())
    queries = read_queries(query_dir)
    entries = json.loads((query_dir / 'queries.json').read_text())['queries']
    proposals: dict[str, Proposals] = {}
    for key, mask in queries.items():
        predicted = read_label_png(query_dir / 'proposals' / f'{key}.png', len(meta['classes']))
        if predicted.shape != mask.shape or (predicted[mask] == 255).any():
            raise ValueError(f'{query_dir / "proposals" / key}.png: not a class at every '
                             'queried pixel')
        proposals[key] = make_proposals(mask, predicted, meta['points'])
    return RoundRequest(
        run_id=meta['run'], round_idx=meta['round'] - 1, iteration=meta['iteration'],
        strategy=meta['strategy'], queries=queries, proposals=proposals,
        image_paths={e['key']: e.get('image', '') for e in entries}, label_paths={},
        classes=meta['classes'], palette=meta['palette'], query_dir=query_dir,
        title=meta['title'], resume_command=meta['resume_command'])


def store_request(store: LabelStore, request: RoundRequest, answers: dict[str, np.ndarray],
                  oracle: str) -> dict[str, Any]:
    """Store ``answers`` to ``request`` as its round (:func:`store_round`), each image with the
    effort of reviewing A's proposals on it (:func:`~.effort.review_effort`, summed into the
    round's ``review``); return the round's manifest entry."""
    return store_round(store, ((key, request.queries[key], answers[key],
                                review_effort(request.proposals[key], answers[key]))
                               for key in answers),
                       request.round_idx, request.iteration,
                       dict(strategy=request.strategy, oracle=oracle))


def store_round(store: LabelStore,
                answers: Iterable[tuple[str, np.ndarray, np.ndarray, dict | None]],
                round_idx: int, iteration: int, stats: dict[str, Any]) -> dict[str, Any]:
    """Add each ``(key, queried, labels, review)`` to ``store`` in key order, then commit the
    round.

    An image whose answers to all of ``queried`` are already in the store, uncommitted (added
    before the process was killed), is not added again, so a killed round completes as if it had
    not been interrupted. Returns the round's manifest entry.
    """
    done = store.uncommitted
    for key, queried, labels, review in sorted(answers, key=lambda a: a[0]):
        if key in done and (store.queried_mask(key, queried.shape) >= queried).all():
            continue
        store.add(key, labels, queried, review)
    store.commit_round(round_idx, iteration, stats)
    return store.manifest['rounds'][-1]


def exported_rounds(query_root: str | os.PathLike) -> list[Path]:
    """The round folders exported under ``query_root`` (``<work_dir>/queries``), by number."""
    return sorted((p.parent for p in Path(query_root).glob('round_*/round.json')),
                  key=lambda p: int(p.name.split('_')[1]))


def unanswered_rounds(query_root: str | os.PathLike, store: LabelStore) -> list[Path]:
    """The exported rounds whose answers are not in ``store`` yet, by number."""
    return [p for p in exported_rounds(query_root)
            if json.loads((p / 'round.json').read_text())['round'] - 1
            not in store.completed_rounds]


def open_exported_round(query_dir: str | os.PathLike) -> tuple[RoundRequest, LabelStore]:
    """The round saved in ``query_dir`` (:func:`load_request`) and the store its answers go
    to, locked for this process (``StoreInUseError`` naming the training or import that holds
    it). ValueError naming the store when the round is in it already or the store is another
    run's."""
    query_dir = Path(query_dir)
    request = load_request(query_dir)
    label_dir = json.loads((query_dir / 'round.json').read_text())['label_dir']
    store = LabelStore.open(query_dir.parents[1] / label_dir)
    store.lock()
    try:
        if request.round_idx in store.completed_rounds:
            raise ValueError(f'{query_dir.name}: round {request.number} is already in '
                             f'{store.manifest_path}; nothing was stored again')
        if request.run_id != store.run_id:
            raise ValueError(f'{query_dir}: the queries of run {request.run_id!r}, the store '
                             f'{store.manifest_path} is run {store.run_id!r}')
        return request, store
    except BaseException:
        store.unlock()
        raise


def import_person_answers(query_dir: str | os.PathLike,
                          answer_dir: str | os.PathLike) -> dict[str, Any]:
    """Store a person's answers (``<answer_dir>/<key>.png``) to the round exported in
    ``query_dir`` as that round (``oracle='human'``) and return its manifest entry.

    The answers are checked against the queries (:func:`import_answers`) before anything is
    stored; an import killed midway is completed by the next one, nothing asked twice.
    ValueError naming the store when the round is in it already.
    """
    request, store = open_exported_round(query_dir)
    try:
        answers = import_answers(answer_dir, request.queries, num_classes=store.num_classes)
        return store_request(store, request, answers, 'human')
    finally:
        store.unlock()


def import_label_studio_answers(query_dir: str | os.PathLike, export_json: str | os.PathLike,
                                allow_missing: bool = False) -> tuple[dict, ExportAnswers]:
    """Store the answers of a Label Studio JSON export of the round exported in ``query_dir``
    (:func:`~.label_studio.read_export`: the latest annotation of each task wins, strokes
    outside a query are clipped; tasks of another run or round are refused, naming both) as
    that round; return its manifest entry and what was read.

    The whole export is checked before anything is stored (a bad one raises
    ``LabelStudioExportError`` naming task and field, the store untouched). The void label
    is stored as void, a queried pixel left unpainted as unanswered; both are spent.
    Queried images without a task or an annotation are an error naming them, unless
    ``allow_missing``: then they are not stored (nothing of them spent; a later round may ask
    them again) and listed in ``missing``. A killed import is completed by the next one, as
    :func:`import_person_answers`.
    """
    request, store = open_exported_round(query_dir)
    try:
        read = read_export(export_json, request.classes, request.queries, request.run_id,
                           request.number, VOID_LABEL)
        if read.missing and not allow_missing:
            raise LabelStudioExportError(
                f'{len(read.missing)} queried images have no task or annotation in the export: '
                f'{", ".join(read.missing)} (answer them, or store the others with '
                'allow_missing)')
        return store_request(store, request, read.answers, 'human'), read
    finally:
        store.unlock()
