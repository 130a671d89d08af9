"""A run stopped at a person's round and resumed trains as if it had not stopped."""
from pathlib import Path

import cv2
import numpy as np
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmseg.registry import HOOKS

from labor_mmseg.labeling import import_person_answers, read_queries

from .conftest import tiny_config

ROUND, MAX_ITERS = 2, 6


@HOOKS.register_module(force=True)
class RecordTrainSteps(Hook):
    """Each train iteration's index and the learning rates of every optimizer it steps with."""

    def __init__(self) -> None:
        self.steps: list[tuple[int, dict[str, list[float]]]] = []

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self.steps.append((runner.iter, runner.optim_wrapper.get_lr()))


def train(cfg) -> tuple[Runner, list[tuple[int, dict[str, list[float]]]]]:
    """Train ``cfg``; the runner and the steps it trained (:class:`RecordTrainSteps`)."""
    runner = Runner.from_cfg(cfg)
    runner.train()
    recorder = next(h for h in runner.hooks if isinstance(h, RecordTrainSteps))
    return runner, recorder.steps


def spl_config(root: Path, work_dir: Path, oracle: str):
    """LabOR-SPL on the tiny benchmark, one round after iteration ``ROUND`` of ``MAX_ITERS``."""
    cfg = tiny_config('spl_synth', root, work_dir, max_iters=MAX_ITERS)
    cfg.custom_hooks[-1].update(rounds=[ROUND], oracle=oracle, vis_images=0)
    cfg.custom_hooks.append(dict(type='RecordTrainSteps'))
    cfg.default_hooks.checkpoint.interval = 100  # the round's checkpoint and the last one
    return cfg


def answer_with_ground_truth(query_dir: Path, root: Path, answer_dir: Path) -> None:
    """Answer the queries in ``query_dir`` as ``<answer_dir>/<key>.png`` from the ground truth
    of the tiny benchmark at ``root`` (255 where not asked)."""
    gt_root = root / 'cityscapes' / 'gtFine' / 'train'
    for key, mask in read_queries(query_dir).items():
        gt = cv2.imread(str(gt_root / f'{key}_gtFine_labelTrainIds.png'), cv2.IMREAD_UNCHANGED)
        (answer_dir / key).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(answer_dir / f'{key}.png'), np.where(mask, gt, 255).astype(np.uint8))


def test_a_resumed_human_round_trains_the_iterations_and_rates_of_an_uninterrupted_run(
        tiny_benchmark, tmp_path):
    """The round's checkpoint holds the iteration after the round's, so the resumed run trains
    each later iteration once with the learning rates of a run whose round did not stop it
    (a checkpoint saved with ``by_epoch`` left at True held the round's own iteration: the
    resumed run trained it again)."""
    work_dir = tmp_path / 'human'
    runner, before = train(spl_config(tiny_benchmark, work_dir, 'human'))
    assert runner.iter == ROUND  # stopped at the round
    query_dir = work_dir / 'queries' / 'round_1'
    answer_with_ground_truth(query_dir, tiny_benchmark, tmp_path / 'answers')
    import_person_answers(query_dir, tmp_path / 'answers')
    cfg = spl_config(tiny_benchmark, work_dir, 'human')
    cfg.resume = True
    resumed_runner, resumed = train(cfg)

    full_runner, full = train(spl_config(tiny_benchmark, tmp_path / 'full', 'ground_truth'))
    assert resumed_runner.iter == full_runner.iter == MAX_ITERS
    assert [i for i, _ in before + resumed] == [i for i, _ in full] == list(range(MAX_ITERS))
    assert len(full[0][1]) > 1  # every optimizer's rate (A's, D's, B's)
    assert resumed == full[ROUND:]
