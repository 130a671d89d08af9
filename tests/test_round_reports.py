"""What a round shows and reports: overlays through MMEngine's visualizer (TensorBoard event
files), the budget per class and round, and the annotation effort per round and run."""
import json

import cv2
import numpy as np
import pytest
from mmengine.runner import Runner
from mmengine.visualization import Visualizer

from labor_mmseg.labeling import LabelStore
from labor_mmseg.labeling.effort import add_effort, mask_effort, no_effort

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
