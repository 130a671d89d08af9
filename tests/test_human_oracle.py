"""The human oracle: export queries, stop, import answers, resume."""
import json
import subprocess
import sys

import cv2
import numpy as np
import pytest
from mmengine.runner import Runner

from labor_mmseg.labeling import QUERIED_VOID, LabelStore, read_queries

from .conftest import REPO, tiny_config


def human_config(tiny_benchmark, work_dir):
    cfg = tiny_config('ppl_synth', tiny_benchmark, work_dir, max_iters=4)
    cfg.custom_hooks[-1].update(rounds=[2], oracle='human')
    cfg.default_hooks.checkpoint.interval = 100
    return cfg


def test_queries_exported_answers_imported_training_resumed(tiny_benchmark, tmp_path):
    runner = Runner.from_cfg(human_config(tiny_benchmark, tmp_path))
    runner.train()
    assert runner.iter == 2  # stopped at the round
    assert (tmp_path / 'iter_2.pth').is_file()
    query_dir = tmp_path / 'queries' / 'round_1'
    queries = read_queries(query_dir)
    assert len(queries) == 6 and all(mask.sum() == 40 for mask in queries.values())

    # Resuming before the answers are in is refused: the round would be skipped.
    cfg = human_config(tiny_benchmark, tmp_path)
    cfg.resume = True
    with pytest.raises(RuntimeError, match='import_answers'):
        Runner.from_cfg(cfg).train()

    # A person answers from the ground truth but leaves one pixel per image unsure (255).
    answers = tmp_path / 'answers'
    gt_root = tiny_benchmark / 'cityscapes' / 'gtFine' / 'train'
    for key, mask in queries.items():
        gt = cv2.imread(str(gt_root / f'{key}_gtFine_labelTrainIds.png'), cv2.IMREAD_UNCHANGED)
        answer = np.where(mask, gt, 255).astype(np.uint8)
        y, x = np.argwhere(mask)[0]
        answer[y, x] = 255
        (answers / key).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(answers / f'{key}.png'), answer)
    # An import killed after two images: rerunning it completes the round, asking nothing twice.
    manifest = json.loads((tmp_path / 'label_store' / 'manifest.json').read_text())
    partial = LabelStore(tmp_path / 'label_store', manifest['dataset'])
    for key in sorted(queries)[:2]:
        answer = cv2.imread(str(answers / f'{key}.png'), cv2.IMREAD_UNCHANGED)
        partial.add(key, answer, queries[key])
    subprocess.run([sys.executable, str(REPO / 'tools' / 'import_answers.py'), str(tmp_path),
                    str(answers)], check=True, capture_output=True)
    # The store counts a person's round as it counts the ground truth's: shares of the target.
    store = LabelStore.open(tmp_path / 'label_store')
    totals, entry = store.totals(), store.manifest['rounds'][-1]
    assert totals['queried_pixels'] == 6 * 40 and totals['queried_per_image'] == 40
    assert totals['queried_percent'] == pytest.approx(100 * 40 / (64 * 128))
    assert totals['labeled_percent'] == pytest.approx(100 * store.labeled_pixels / (6 * 64 * 128))
    assert entry['points_per_image'] == 40 and entry['oracle'] == 'human'

    cfg = human_config(tiny_benchmark, tmp_path)
    cfg.resume = True
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 4
    manifest = json.loads((tmp_path / 'label_store' / 'manifest.json').read_text())
    store = LabelStore(tmp_path / 'label_store', manifest['dataset'])
    entry = store.manifest['rounds'][0]
    assert entry['queried'] == 6 * 40 and entry['oracle'] == 'human'
    for key, mask in queries.items():
        stored = store.read(key)
        assert ((stored != 255) == mask).all()
        assert (stored == QUERIED_VOID).sum() >= 1  # the unsure pixel is spent, not labeled


def test_exported_rounds_go_by_number_and_answered_ones_drop_out(tmp_path):
    """round_10 comes after round_9 (not between round_1 and round_2)."""
    from labor_mmseg.labeling.selection_round import exported_rounds, unanswered_rounds
    store = LabelStore(tmp_path / 'store', dict(name='x'), num_classes=2)
    numbers = (1, 2, 9, 10)
    for number in numbers:
        (tmp_path / 'queries' / f'round_{number}').mkdir(parents=True)
        (tmp_path / 'queries' / f'round_{number}' / 'round.json').write_text(
            json.dumps(dict(round=number - 1)))
    (tmp_path / 'queries' / 'round_3').mkdir()  # no round.json: not exported (yet)
    assert [p.name for p in exported_rounds(tmp_path / 'queries')] == [
        f'round_{n}' for n in numbers]
    for i, number in enumerate(numbers):
        store.commit_round(number - 1, number, {})
        assert [p.name for p in unanswered_rounds(tmp_path / 'queries', store)] == [
            f'round_{n}' for n in numbers[i + 1:]]
