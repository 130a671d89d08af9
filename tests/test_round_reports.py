"""What a round shows and reports: overlays through MMEngine's visualizer (TensorBoard event
files), the budget per class and round, and the annotation effort per round and run."""
import json

import cv2
import numpy as np
import pytest
from mmengine.runner import Runner
from mmengine.visualization import Visualizer

from labor_mmseg.labeling import LabelStore
from labor_mmseg.labeling.effort import (
    SECONDS_PER_CHECK,
    SECONDS_PER_CLICK,
    add_effort,
    mask_effort,
    no_effort,
)
from labor_mmseg.visualization.label_report import review_row, write_label_report

from .conftest import tiny_config

VIS_IMAGES = 2


@pytest.fixture(scope='module')
def spl_run(tiny_benchmark, tmp_path_factory):
    """A tiny SPL run with one round at iter 2, shown to TensorBoard and local files."""
    work_dir = tmp_path_factory.mktemp('reported')
    cfg = tiny_config('spl_synth', tiny_benchmark, work_dir, max_iters=3)
    cfg.custom_hooks[-1].update(rounds=[2], vis_images=VIS_IMAGES)
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend'),
                                   dict(type='TensorboardVisBackend')]
    cfg.visualizer.name = 'reported_run'  # one visualizer instance per name
    runner = Runner.from_cfg(cfg)
    runner.train()
    return work_dir, runner


def test_overlays_reach_tensorboard_and_local_files(spl_run):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    work_dir, runner = spl_run
    assert isinstance(runner.visualizer, Visualizer)
    events = sorted(work_dir.glob('*/vis_data/events.out.tfevents.*'))
    assert events, 'no TensorBoard event file'
    accumulator = EventAccumulator(str(events[0].parent), size_guidance={'images': 0})
    accumulator.Reload()
    tags = [t for t in accumulator.Tags()['images'] if t.startswith('selection_round_1_')]
    assert len(tags) == VIS_IMAGES
    image = accumulator.Images(tags[0])[0]
    assert image.step == 2 and (image.width, image.height) == (4 * 128, 64)  # four panels
    local = sorted(work_dir.glob('*/vis_data/vis_image/selection_round_1_*_2.png'))
    assert len(local) == VIS_IMAGES
    panels = cv2.imread(str(local[0]))
    assert panels.shape == (64, 4 * 128, 3)
    # the last panel marks the selected pixels: it differs from the image (the first panel)
    assert (panels[:, 3 * 128:] != panels[:, :128]).any()


def test_the_budget_report_counts_each_class_and_round(spl_run):
    work_dir, _ = spl_run
    store = LabelStore.open(work_dir / 'label_store')
    report = (work_dir / 'reports' / 'report.md').read_text()
    assert (work_dir / 'reports' / 'budget.png').stat().st_size > 0
    data = json.loads((work_dir / 'reports' / 'report.json').read_text())
    counts = np.zeros(len(data['classes']), dtype=int)
    for key in store.manifest['queried_per_image']:
        labels = store.read(key)
        counts += np.bincount(labels[labels < len(counts)], minlength=len(counts))
    entry = store.manifest['rounds'][0]
    assert entry['class_counts'] == counts.tolist()
    for name, count in zip(data['classes'], counts, strict=True):
        assert f'| {name} | {count} | {count} |' in report


def test_the_effort_is_of_the_queried_regions(spl_run):
    """The round's effort is the effort of the label maps' queried pixels (one round: all of
    them), image by image; the report's total row and the store's totals agree."""
    work_dir, _ = spl_run
    store = LabelStore.open(work_dir / 'label_store')
    expected = no_effort()
    for key in store.manifest['queried_per_image']:
        expected = add_effort(expected, mask_effort(store.read(key) != 255))
    assert expected['regions'] > 0 and expected['clicks'] > expected['regions']
    assert store.manifest['rounds'][0]['effort'] == expected == store.totals()['effort']
    data = json.loads((work_dir / 'reports' / 'report.json').read_text())
    assert data['effort'][-1]['round'] == 'total'
    assert data['effort'][-1]['clicks'] == expected['clicks']
    assert data['effort'][-1]['seconds'] == pytest.approx(expected['seconds'])


def hand_made_store(root) -> LabelStore:
    """Two rounds of three queried pixels on image ``a``: round 1 (committed before void and
    unanswered pixels were counted, no review) bought class 1 and two voids; round 2 class 2,
    a void and an unanswered pixel, with a review of two proposals (one relabeled)."""
    store = LabelStore(root, {'name': 'x'}, num_classes=3, target_images=1, target_pixels=16)
    queried = np.zeros((4, 4), bool)
    queried[0, :3] = True
    labels = np.full((4, 4), 255, np.uint8)
    labels[0, :3] = [1, 254, 254]
    store.add('a', labels, queried)
    store.commit_round(0, 10, {})
    manifest = json.loads((root / 'manifest.json').read_text())
    del manifest['rounds'][0]['void'], manifest['rounds'][0]['unanswered']
    (root / 'manifest.json').write_text(json.dumps(manifest))
    store = LabelStore.open(root)
    labels[0, :3] = 255
    labels[2, :2] = [2, 254]
    store.add('a', labels, np.roll(queried, 2, axis=0))
    store.commit_round(1, 20, {'review': dict(
        proposals=2, accepted=1, relabeled=1, repainted=0, skipped=0, clicks=2,
        seconds=2 * SECONDS_PER_CHECK + 2 * SECONDS_PER_CLICK)})
    return store


def test_the_report_shows_void_unanswered_and_both_estimates(tmp_path):
    store = hand_made_store(tmp_path / 'store')
    report = write_label_report(store, ['a', 'b', 'c'], [[0, 0, 0]] * 3,
                                tmp_path / 'reports').read_text()
    assert '| **queried (incl. void, unanswered)** | 3 | 3 | 6 |' in report
    assert '| void | - | 1 | - |' in report and '| unanswered | - | 1 | - |' in report
    for source in ('Bearman et al., ECCV 2016', 'Papadopoulos et al., CVPR 2016'):
        assert source in report
    assert '## Paint from nothing' in report and "## Review A's proposals" in report
    review_seconds = 2 * SECONDS_PER_CHECK + 2 * SECONDS_PER_CLICK
    assert f'| 2 | 2 | 1 | 1 | 0 | 0 | 2 | {review_seconds:.1f} | 50.0 |' in report
    assert '| 1 | - | - | - | - | - | - | - | - |' in report  # round 1 has no review
    assert '| total | - | - | - | - | - | - | - | - |' in report
    paint = store.manifest['rounds'][1]['effort']['seconds']
    assert f'| 2 | {paint:.1f} | {review_seconds:.1f} |' in report
    data = json.loads((tmp_path / 'reports' / 'report.json').read_text())
    assert data['totals'] == json.loads(json.dumps(store.totals()))
    assert data['totals']['void_pixels'] is None and data['rounds'][1]['unanswered'] == 1
    assert [r['round'] for r in data['review']] == [1, 2, 'total']
    assert data['review'][1]['right_percent'] == 50.0 and data['review'][1]['clicks'] == 2
    assert data['review'][2]['proposals'] is None


def test_the_share_of_right_proposals_leaves_the_unanswered_out():
    review = dict(proposals=4, accepted=3, relabeled=1, repainted=0, skipped=1, clicks=2,
                  seconds=1.0)
    assert review_row(3, review)['right_percent'] == pytest.approx(100 * 2 / 3)
    assert review_row(3, dict(review, accepted=1, relabeled=0, skipped=1, proposals=1)
                      )['right_percent'] is None
    assert review_row('total', None)['right_percent'] is None
