"""Selection rounds: run model B over the target set, select pixels, buy their labels."""
from collections.abc import Sequence
from pathlib import Path

import mmcv
import numpy as np
import torch
from mmengine.dataset import Compose, pseudo_collate
from mmengine.dist import (
    all_gather_object,
    barrier,
    broadcast,
    broadcast_object_list,
    get_dist_info,
)
from mmengine.hooks import Hook
from mmengine.utils import ProgressBar
from mmseg.registry import HOOKS

from ...labeling import AnswersPending, LabelStore, write_atomic
from ...labeling.selection_round import (
    PRESETS,
    SelectionRound,
    load_request,
    unanswered_rounds,
    with_boundary_radius,
    with_dataset_files,
)
from ...models.labor import unwrap
from ...selection import inconsistency_mask
from ...visualization import selection_overlay, write_label_report


def find_sparse_dataset(dataset):
    """The ``SparseLabelDataset`` inside a train dataset: itself or a ``PairedDataset`` target."""
    from ...datasets import SparseLabelDataset
    for candidate in (dataset, getattr(dataset, 'target', None)):
        if isinstance(candidate, SparseLabelDataset):
            return candidate
    raise TypeError('selection hooks need train_dataloader.dataset to be a SparseLabelDataset '
                    f'or a PairedDataset whose target is one; got {type(dataset).__name__}')


@HOOKS.register_module()
class ActiveSelectionHook(Hook):
    """Schedules selection rounds: when each runs, over which ranks, what is logged.

    What a round does to an image (strategy and options, budget share, per-image draw, oracle)
    and where its answers go is its :class:`~labor_mmseg.labeling.SelectionRound`'s
    (``self.round``, store in ``self.round.store``); the store does the accounting.

    After each iteration listed in ``rounds``, the selector scores every target training image
    at its full label resolution, ``strategy`` (``labor_mmseg.selection``) picks this round's
    share of ``budget`` per image among pixels not labeled yet, the oracle answers, and the
    answers go to a ``LabelStore`` in ``<work_dir>/<label_dir>``. The training dataset
    (``SparseLabelDataset``) reads the store, and the hook refreshes each batch loaded before
    a round, so the new labels are used from the very next batch.

    Crash safety: the hook runs after the ``CheckpointHook`` of the same iteration, so a
    checkpoint saved at a round's iteration holds the weights the round scores with. A round
    counts once it is committed to the store's manifest. Resuming (``--resume``) from a
    checkpoint at or after the iteration of an uncommitted round (the process was killed during
    it) completes that round before training goes on; the images whose answers reached the
    store before the kill (``LabelStore.uncommitted``) keep them and are not asked again, so no
    label is bought twice and, with the checkpoint of the round's iteration, the store ends up as
    if the round had not been interrupted.

    Args:
        strategy: Name in ``labor_mmseg.registry.SELECTION_STRATEGIES``.
        budget: Per image over all rounds: a fraction of pixels (float in (0, 1]) or a number
            of pixels (int), split equally between rounds; what a round leaves unspent on an
            image goes to its next round.
        rounds: Iterations after which a round runs.
        label_dir: Store directory, relative to the work dir.
        pipeline: Transforms that load a target image for scoring; default: load and pack it
            as it is (add the training ``Resize`` for data trained at another scale).
        seed: Seed of the random generator of strategies that draw pixels (``random``);
            default the runner's (``randomness.seed``), so runs of other seeds draw
            other pixels.
        oracle: Who answers (``labor_mmseg.registry.ORACLES``): a config dict, or
            ``'ground_truth'`` (the dataset's labels of the queried pixels, experiments) or
            ``'human'`` (``FileOracle``: the round's queries are left in
            ``<work_dir>/queries/round_<k>``, also as Label Studio files, training stops until
            ``tools/import_answers.py`` stores the answers and training is resumed). None (the
            default): the config's top-level ``oracle`` if it has one (a layer such as
            ``configs/_base_/labor/oracle_label_studio.py`` sets it for every selection hook),
            else ``'ground_truth'``. Before a person's oracle is asked, the round's queries
            are kept in ``queries/round_<k>`` and a checkpoint of the round's iteration is
            saved, so a run stopped or killed while the person answers resumes with
            ``--resume`` at the round and asks the same queries.
        strategy_cfg: Keyword arguments of the strategy function (e.g. ``select_ppl``'s
            ``boundary_radius``).
        vis_images: Target images shown per round (the first of the set): image, A's
            prediction, B's inconsistency mask and the selected pixels side by side, through
            the runner's visualizer (``add_image``, step = the round's iteration), so they
            reach every configured vis backend (TensorBoard, W&B, local files); 0: none.
        report_dir: Where each committed round, and the start of a run on a store with rounds
            (a person's, imported), rewrites the run's label report (budget per
            class and round, annotation effort per round and run: ``report.md``,
            ``budget.png``, ``report.json``), relative to the work dir.
    """

    priority = 'LOWEST'  # after the CheckpointHook (VERY_LOW): see "Crash safety"

    def __init__(self,
                 strategy: str = 'spl',
                 budget: float | int = 0.022,
                 rounds: Sequence[int] = (10000, 12000, 14000, 16000, 18000),
                 label_dir: str = 'label_store',
                 pipeline: list[dict] | None = None,
                 seed: int | None = None,
                 oracle: str | dict | None = None,
                 strategy_cfg: dict | None = None,
                 vis_images: int = 4,
                 report_dir: str = 'reports') -> None:
        name = type(self).__name__  # errors name the config field
        self.rounds = sorted(int(r) for r in rounds)
        if not self.rounds or len(set(self.rounds)) != len(self.rounds) or self.rounds[0] < 1:
            raise ValueError(f'{name}.rounds must be distinct iterations >= 1, got {list(rounds)}')
        self.round = SelectionRound(strategy, budget, len(self.rounds), seed,
                                    oracle or 'ground_truth', strategy_cfg, owner=name)
        self.oracle_given = oracle is not None
        self.label_dir = label_dir
        self.pipeline = Compose(pipeline or [dict(type='LoadImageFromFile'),
                                             dict(type='PackSegInputs')])
        self.seed = seed
        if isinstance(vis_images, bool) or not isinstance(vis_images, int) or vis_images < 0:
            raise ValueError(f'{name}.vis_images must be an int >= 0, got {vis_images!r}')
        self.vis_images = vis_images
        self.report_dir = report_dir

    @property
    def store(self) -> LabelStore | None:
        """The round's label store (None before training)."""
        return self.round.store

    def before_train(self, runner) -> None:
        """Check the schedule, open the store and attach it to the training dataset."""
        if self.rounds[-1] > runner.max_iters:
            raise ValueError(f'{type(self).__name__}.rounds {self.rounds} go beyond '
                             f'train_cfg.max_iters={runner.max_iters}')
        if not self.oracle_given and runner.cfg.get('oracle') is not None:
            self.round.set_oracle(runner.cfg['oracle'], 'oracle')  # the config's layer
        self.round.seed = runner.seed if self.seed is None else self.seed
        self.dataset = find_sparse_dataset(runner.train_dataloader.dataset)
        model = unwrap(runner.model)
        if hasattr(model, 'check_num_classes'):
            model.check_num_classes(len(self.dataset.metainfo['classes']),
                                    'train_dataloader.dataset')
        root = Path(runner.work_dir) / self.label_dir
        if get_dist_info()[0] == 0:  # rank 0 creates the store, the others open it
            self.round.open_store(root, self.dataset, create=True)
        barrier()
        if get_dist_info()[0] != 0:
            self.round.open_store(root, self.dataset, create=False)
        try:
            self._check_and_complete(runner, root)
        except BaseException:
            self.store.unlock()  # a run that does not start leaves the store to others
            raise
        if self.store.completed_rounds and get_dist_info()[0] == 0:
            self._write_report(runner)  # rounds committed elsewhere: a person's import

    def _check_and_complete(self, runner, root: Path) -> None:
        """Refuse a store another run filled or a round still asked of a person; attach the
        store and complete a round the previous process was killed in."""
        if runner.iter == 0 and (self.store.completed_rounds or self.store.uncommitted):
            # A new run would train on labels another model bought, from its first iteration.
            raise RuntimeError(
                f'{root} already holds the labels of an earlier run and this one starts from '
                'iteration 0: continue that run with --resume, or give this run another '
                'work_dir (the labels are left where they are)')
        self.dataset.attach(self.store)
        self.query_root = Path(runner.work_dir) / 'queries'
        unanswered = unanswered_rounds(self.query_root, self.store)
        if unanswered and self.round.oracle.offline:
            raise RuntimeError(f'{unanswered[0]} holds queries without answers: run python '
                               f'tools/import_answers.py {runner.work_dir} <answers> before '
                               'resuming')
        for round_idx, iteration in enumerate(self.rounds):
            if iteration > runner.iter or runner.train_loop.stop_training:
                break
            if round_idx not in self.store.completed_rounds:  # interrupted: resumed at or after it
                runner.logger.info(f'selection round {round_idx + 1} at iter {iteration} was not '
                                   f'committed to {self.store.manifest_path}: completing it now')
                self.run_round(runner, round_idx, iteration)

    def after_run(self, runner) -> None:
        """Release the store's lock (a process that trains holds it, see ``open_store``)."""
        if self.store is not None:
            self.store.unlock()

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Bring the batch's target items loaded before the last change of labels (a round,
        or the store attached) up to date: a dataloader prefetches with the old labels."""
        if data_batch is not None:
            self.dataset.refresh(data_batch)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Run the round scheduled after this iteration, unless the store already has it."""
        iteration = runner.iter + 1
        if iteration in self.rounds:
            round_idx = self.rounds.index(iteration)
            if round_idx not in self.store.completed_rounds:
                self.run_round(runner, round_idx, iteration)

    @torch.no_grad()
    def select_image(self, model, idx: int, round_idx: int,
                     show: tuple | None = None) -> tuple[str, np.ndarray, np.ndarray, int]:
        """Score target image ``idx`` with B and select this round's pixels; ``show``:
        ``(visualizer, step)`` to add the round's picture of it.

        Returns the image key, the queried mask, A's class map (its proposals to a person) and
        how many of the picks lie in B's inconsistency mask.
        """
        info = self.dataset.get_data_info(idx)
        batch = model.data_preprocessor(
            pseudo_collate([self.pipeline(dict(img_path=info['img_path']))]), False)
        size = tuple(batch['data_samples'][0].ori_shape)
        prob1, prob2 = model.selector_probs(batch['inputs'], size)
        key = self.dataset.key(idx)
        queried = torch.from_numpy(self.store.queried_mask(key, size)).to(prob1.device)
        mask = self.round.select(prob1[0], prob2[0], round_idx, idx, labeled=queried)
        prediction = model(batch['inputs'], batch['data_samples'], mode='predict')[0]
        predicted = prediction.pred_sem_seg.data[0].cpu().numpy().astype(np.uint8)
        inconsistent = inconsistency_mask(prob1[0], prob2[0])
        if show is not None:
            visualizer, step = show
            visualizer.add_image(f'selection_round_{round_idx + 1}_{key}'.replace('/', '_'),
                                 selection_overlay(
                                     mmcv.imread(info['img_path'], channel_order='rgb'),
                                     predicted, inconsistent.cpu().numpy(),
                                     mask.cpu().numpy(), self.dataset.metainfo['palette']),
                                 step=step)
        return key, mask.cpu().numpy(), predicted, int((mask & inconsistent).sum())

    def run_round(self, runner, round_idx: int, iteration: int) -> None:
        """Select on every target image (sharded over ranks), ask the oracle, store, record.

        Images with uncommitted labels (answered in this round before the process was killed)
        keep them: they are neither scored nor asked again, and the commit counts them. A
        person's round whose queries were kept before the process stopped (``queries/round_<k>``
        of this run) asks those again instead of scoring anew.
        """
        query_dir = self.query_root / f'round_{round_idx + 1}'
        rank, world_size = get_dist_info()
        kept = None
        if self.round.oracle.person and (query_dir / 'round.json').is_file():
            kept = load_request(query_dir)
            if kept.run_id != self.store.run_id or kept.round_idx != round_idx:
                raise RuntimeError(f'{query_dir} holds round {kept.number} of run '
                                   f'{kept.run_id!r}, not round {round_idx + 1} of this run '
                                   f'{self.store.run_id!r}: move it away to select anew')
        picks = [] if kept is not None else self._select_all(runner, round_idx, iteration)
        status = [None]
        if rank == 0:
            status = [self._ask(runner, round_idx, iteration, query_dir, picks, kept)]
        if world_size > 1:
            broadcast_object_list(status, src=0)
        if status[0] is not None:  # a person answers later: stop at the round
            runner.train_loop.stop_training = True
            return
        barrier()
        if rank != 0:
            self.store.reload()
        self.dataset.labels_changed()

    def _select_all(self, runner, round_idx: int, iteration: int) -> list:
        """:meth:`select_image` of every target image not answered yet, gathered from the
        ranks' shards."""
        model = unwrap(runner.model)
        rank, world_size = get_dist_info()
        # BN statistics are rank-local (DDP with broadcast_buffers=False): every shard is scored
        # with rank 0's, the ones checkpoints hold, so the round equals a single-process one.
        for buffer in model.buffers():
            broadcast(buffer, src=0)
        shard = range(rank, len(self.dataset), world_size)
        was_training = model.training
        model.eval()
        progress = ProgressBar(len(shard)) if rank == 0 else None
        answered = self.store.uncommitted
        picks = []
        shown = set(shard[:self.vis_images]) if rank == 0 else set()
        for idx in shard:
            if self.dataset.key(idx) not in answered:
                show = (runner.visualizer, iteration) if idx in shown else None
                picks.append(self.select_image(model, idx, round_idx, show))
            if progress is not None:
                progress.update()
        model.train(was_training)
        if world_size > 1:
            picks = [p for part in all_gather_object(picks) for p in part]
        return picks

    def _ask(self, runner, round_idx: int, iteration: int, query_dir: Path, picks: list,
             kept) -> str | None:
        """Rank 0: ask the oracle and store its answers; the message of a stop when the
        answers come later (None once they are stored). A person's round saves its
        checkpoint first, so a run stopped or killed while waiting resumes at the round."""
        if kept is None:
            config = runner.cfg.filename or '<config>'
            request = self.round.request(
                round_idx, iteration, [p[:3] for p in picks], self.dataset, query_dir,
                title=Path(runner.work_dir).name,
                resume_command=f'python tools/train.py {config} --work-dir {runner.work_dir} '
                               '--resume')
        else:
            request = with_dataset_files(kept, self.dataset)
        if self.round.oracle.person:
            self._save_round_checkpoint(runner, iteration)
        try:
            answers = self.round.ask(request)
        except AnswersPending as pending:
            runner.logger.info(str(pending))
            return str(pending)
        entry = self.round.store_answers(request, answers)
        self._log(runner, round_idx, iteration, entry)
        if picks:
            picked = sum(int(p[1].sum()) for p in picks)
            runner.logger.info(
                f'selection round {round_idx + 1}: {sum(p[3] for p in picks)} of the {picked} '
                'pixels picked lie in B\'s inconsistency mask (where its heads agree on more '
                'pixels than a round\'s share, SPL and PPL take the most discrepant of the rest)')
        if not entry['queried']:
            runner.logger.warning(
                f'selection round {round_idx + 1} bought nothing: no target pixel was left '
                'unlabeled, its share of a budget smaller than the rounds was 0, or the '
                'strategy picked none')
        self._write_report(runner)
        return None

    def _save_round_checkpoint(self, runner, iteration: int) -> None:
        """Save ``iter_<iteration>.pth`` (rank 0) as the CheckpointHook would: its ``iter`` is
        ``iteration``, so a resumed run's iterations and LR equal an uninterrupted run's."""
        checkpoint = f'iter_{iteration}.pth'
        runner.save_checkpoint(runner.work_dir, checkpoint, by_epoch=False)
        write_atomic(Path(runner.work_dir) / 'last_checkpoint',
                     str(Path(runner.work_dir) / checkpoint).encode())

    def _write_report(self, runner) -> None:
        """Rewrite the run's label report from the store (rank 0)."""
        report = write_label_report(self.store, list(self.dataset.metainfo['classes']),
                                    self.dataset.metainfo['palette'],
                                    Path(runner.work_dir) / self.report_dir)
        runner.logger.info(f'label report (budget per class and round, annotation effort): '
                           f'{report}')

    def _log(self, runner, round_idx: int, iteration: int, entry: dict) -> None:
        """Log a committed round (``entry``: its manifest entry)."""
        runner.message_hub.update_scalar('train/labeled_percent', entry['labeled_percent'])
        runner.message_hub.update_scalar('train/points_per_image', entry['points_per_image'])
        classes = self.dataset.metainfo['classes']
        counts = zip(classes, entry['class_counts'], strict=True)
        per_class = ', '.join(f'{c}={n}' for c, n in counts if n)
        effort, review = entry['effort'], entry.get('review')  # none: nothing bought
        reviewing = '' if review is None else (
            f'; reviewing A\'s {review["proposals"]} proposals ({review["accepted"]} accepted, '
            f'{review["relabeled"]} relabeled, {review["repainted"]} repainted) about '
            f'{review["seconds"] / 3600:.2f} h')
        runner.logger.info(
            f'selection round {round_idx + 1}/{len(self.rounds)} ({self.round.strategy_name}) at '
            f'iter {iteration}: +{entry["pixels"]} pixels, {entry["points_per_image"]:.1f} points '
            f'per image; {entry["labeled_percent"]:.3f}% of target pixels labeled in total '
            f'({entry["queried_percent"]:.3f}% queried, {entry["void"]} answered void, '
            f'{entry["unanswered"]} unanswered this round); '
            f'labeled pixels per class this round: {per_class}; annotation effort (estimates): '
            f'painted from nothing {effort["regions"]} regions, {effort["points"]} points, '
            f'{effort["clicks"]} clicks, about {effort["seconds"] / 3600:.2f} h{reviewing}')


@HOOKS.register_module()
class SPLSelectionHook(ActiveSelectionHook):
    """LabOR Segment-based Pixel Labeling (``select_spl``): 2.2% of pixels per image by default.

    ``boundary_radius`` (``select_spl``): when the inconsistency mask exceeds a round's budget,
    a class's candidates this close to a boundary of B's class map are taken after its interior
    ones; 0 ranks them by discrepancy alone.
    """

    def __init__(self, budget: float | int = PRESETS['SPLSelectionHook']['budget'],
                 boundary_radius: int = PRESETS['SPLSelectionHook']['boundary_radius'],
                 strategy_cfg: dict | None = None, **kwargs) -> None:
        super().__init__(strategy='spl', budget=budget, **kwargs, strategy_cfg=with_boundary_radius(
            type(self).__name__, strategy_cfg, boundary_radius))


@HOOKS.register_module()
class PPLSelectionHook(ActiveSelectionHook):
    """LabOR Point-based Pixel Labeling: prototype-nearest points, 40 per image by default.

    ``boundary_radius`` (``select_ppl``): candidates this close to a boundary of B's class map
    are ranked after the interior ones of their class; 0 gives the paper's rule.
    """

    def __init__(self, budget: float | int = PRESETS['PPLSelectionHook']['budget'],
                 boundary_radius: int = PRESETS['PPLSelectionHook']['boundary_radius'],
                 strategy_cfg: dict | None = None, **kwargs) -> None:
        super().__init__(strategy='ppl', budget=budget, **kwargs, strategy_cfg=with_boundary_radius(
            type(self).__name__, strategy_cfg, boundary_radius))
