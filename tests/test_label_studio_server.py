"""The offline round trip through a real Label Studio server (installed by
tools/label_studio/install.sh into its own venv, started on 127.0.0.1 with SQLite, offline), for
people who import the files by hand: project, task import, a simulated annotator's answers, the
export, the import, the resume."""
import json
import subprocess
import sys

import cv2
import numpy as np
import pytest
from mmengine.runner import Runner

from labor_mmseg.labeling import LabelStore, read_queries
from labor_mmseg.labeling.label_studio import BRUSH_NAME, IMAGE_NAME, VOID_LABEL, brush_to_rle
from labor_mmseg.labeling.label_studio_client import LabelStudioClient, LabelStudioError

from .conftest import LABEL_STUDIO_EMAIL as EMAIL
from .conftest import REPO, tiny_config


def spl_config(tiny_benchmark, work_dir, oracle):
    cfg = tiny_config('spl_synth', tiny_benchmark, work_dir, max_iters=4)
    cfg.custom_hooks[-1].update(rounds=[2], oracle=oracle)
    cfg.default_hooks.checkpoint.interval = 100
    return cfg


def paint_from_ground_truth(queried: np.ndarray, gt: np.ndarray,
                            classes: list[str]) -> list[dict]:
    """What a person paints over a pre-annotated query (``queried``): each ground-truth class
    of the region as one brush (void where the ground truth has no class)."""
    shape = gt.shape
    names = {**dict(enumerate(classes)), 255: VOID_LABEL}
    return [dict(id=f'gt{c}', type='brushlabels', from_name=BRUSH_NAME, to_name=IMAGE_NAME,
                 original_width=shape[1], original_height=shape[0], image_rotation=0,
                 value=dict(format='rle', rle=brush_to_rle(queried & (gt == c)),
                            brushlabels=[names[c]]))
            for c in np.unique(gt[queried]).tolist()]


def test_wrong_password_is_refused_by_name(label_studio):
    with pytest.raises(LabelStudioError, match='login of'):
        LabelStudioClient(label_studio.url, email=EMAIL, password='wrong password')


def test_a_round_trips_through_the_server_as_the_ground_truth_would(label_studio, tiny_benchmark,
                                                                     tmp_path):
    person, oracle = tmp_path / 'person', tmp_path / 'oracle'
    Runner.from_cfg(spl_config(tiny_benchmark, person, 'human')).train()
    Runner.from_cfg(spl_config(tiny_benchmark, oracle, 'ground_truth')).train()
    round_dir = person / 'queries' / 'round_1'
    files = round_dir / 'label_studio'
    classes = json.loads((round_dir / 'round.json').read_text())['classes']

    client = LabelStudioClient(label_studio.url, email=EMAIL, password=label_studio.password)
    project = client.create_project('labor round 1', (files / 'labeling_config.xml').read_text())
    tasks = json.loads((files / 'tasks.json').read_text())
    assert client.import_tasks(project, tasks) == len(tasks) == 6
    gt_root = tiny_benchmark / 'cityscapes' / 'gtFine' / 'train'
    queries = read_queries(round_dir)
    for task in client.export(project):
        key = task['data']['labor_key']
        gt = cv2.imread(str(gt_root / f'{key}_gtFine_labelTrainIds.png'), cv2.IMREAD_UNCHANGED)
        client.annotate(task['id'], paint_from_ground_truth(queries[key], gt, classes))
    export = tmp_path / 'export.json'
    export.write_text(json.dumps(client.export(project)))

    subprocess.run([sys.executable, str(REPO / 'tools' / 'import_answers.py'), str(person),
                    str(export)], check=True, capture_output=True)
    cfg = spl_config(tiny_benchmark, person, 'human')
    cfg.resume = True
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 4
    by_person = LabelStore.open(person / 'label_store')
    by_oracle = LabelStore.open(oracle / 'label_store')
    assert sum(int(m.sum()) for m in queries.values()) == by_oracle.manifest['rounds'][0]['queried']
    for key in queries:
        assert np.array_equal(by_person.read(key), by_oracle.read(key)), key
    assert by_person.totals() == by_oracle.totals()
