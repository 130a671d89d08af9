"""The live loop: a run asks a person in a real Label Studio server (its own venv, 127.0.0.1,
SQLite, offline) at each round and trains on once the answers are in; killed while it waits, it
resumes with the same tasks and loses no answer."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from mmseg.datasets import CityscapesDataset

from labor_mmseg.labeling import LabelStore
from labor_mmseg.labeling.label_studio_client import LabelStudioClient

from .conftest import REPO, tiny_config
from .person import Person
from .test_human_resume import train

ROUNDS = [2, 4]
CLASSES = list(CityscapesDataset.METAINFO['classes'])  # the synthetic benchmark's


def live_config(name, tiny_benchmark, work_dir, oracle=None):
    """``configs/labor/<name>.py`` on the tiny benchmark, rounds at iterations 2 and 4 of 6,
    a person's oracle polled every 0.2 s (or ``oracle``)."""
    cfg = tiny_config(name, tiny_benchmark, work_dir, max_iters=6)
    cfg.custom_hooks[-1].update(rounds=ROUNDS, vis_images=0)
    cfg.custom_hooks.append(dict(type='RecordTrainSteps'))
    cfg.default_hooks.checkpoint.interval = 100
    if oracle is not None:
        cfg.oracle = oracle
    elif 'oracle' in cfg:
        cfg.oracle.poll_interval = 0.2
    return cfg


@pytest.fixture
def connected(label_studio, monkeypatch):
    """The environment a person's run reads: the server's URL and an API key."""
    monkeypatch.setenv('LABEL_STUDIO_URL', label_studio.url)
    monkeypatch.setenv('LABEL_STUDIO_API_KEY', label_studio.api_key())
    return label_studio


def store_bytes(work_dir):
    root = work_dir / 'label_store'
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob('*'))
            if p.is_file() and p.name != 'store.lock'}


def lrs(work_dir):
    """Learning rates of each logged iteration, over every run of a work dir (a resumed one's
    too; one process per run: in-process runners share MMEngine's visualizer)."""
    found = {}
    for path in sorted(work_dir.glob('*/vis_data/scalars.json')):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            found[row['step']] = {k: v for k, v in row.items() if 'lr' in k}
    return found


@pytest.mark.parametrize('method', ['spl', 'ppl'])
def test_a_person_answers_each_round_in_label_studio(method, connected, tiny_benchmark,
                                                    tmp_path):
    gt_root = tiny_benchmark / 'cityscapes' / 'gtFine' / 'train'
    truth = tmp_path / 'truth'
    _, steps = train(live_config(f'{method}_synth', tiny_benchmark, truth,
                                         oracle='ground_truth'))

    live = tmp_path / 'live'
    person = Person(connected.url, connected.api_key(), live, gt_root, CLASSES)
    person.start()
    # Trains, waits at each round until the person has answered, then trains on.
    runner, live_steps = train(live_config(f'{method}-label-studio_synth', tiny_benchmark,
                                           live))
    person.finish()

    assert runner.iter == 6
    assert live_steps == steps and [i for i, _ in steps] == list(range(6))
    # What the person got: every task's image through the server, at the dataset's size.
    assert person.image_shapes and set(person.image_shapes.values()) == {(64, 128)}
    # The person's corrected answers are what the ground truth gives for the same queries.
    ours, theirs = LabelStore.open(live / 'label_store'), LabelStore.open(truth / 'label_store')
    assert ours.totals()['queried_pixels'] == theirs.totals()['queried_pixels'] > 0
    keys = [p.relative_to(live / 'label_store' / 'labels').with_suffix('').as_posix()
            for p in (live / 'label_store' / 'labels').rglob('*.png')]
    assert keys
    for key in keys:
        assert np.array_equal(ours.read(key), theirs.read(key)), key
    rounds = ours.manifest['rounds']
    assert [r['oracle'] for r in rounds] == ['human', 'human']
    # One task per queried image and round, and the report counts exactly what they showed.
    client = LabelStudioClient(connected.url, api_key=connected.api_key())
    record = json.loads((live / 'queries' / 'label_studio_project.json').read_text())
    tasks = [t for t in client.tasks(record['project'])]
    assert len(tasks) == sum(r['images'] for r in rounds)
    assert {(t['data']['labor_run'], t['data']['labor_round']) for t in tasks} == {
        (ours.run_id, 1), (ours.run_id, 2)}
    review = [r['review'] for r in rounds]
    assert sum(r['proposals'] for r in review) == sum(person.done.values())
    for name in ('accepted', 'relabeled', 'repainted'):
        assert sum(r[name] for r in review) == person.done[name], name


def test_killed_while_waiting_resumes_with_the_same_tasks(connected, tiny_benchmark,
                                                          tmp_path):
    """SIGKILL while the run waits for round 1 (half its tasks answered): --resume finds the
    same tasks, no duplicate, the answers given are kept; iterations and LR equal an
    uninterrupted run's."""
    gt_root = tiny_benchmark / 'cityscapes' / 'gtFine' / 'train'
    truth, work_dir = tmp_path / 'truth', tmp_path / 'live'
    cfg = live_config('spl-label-studio_synth', tiny_benchmark, work_dir)
    cfg.custom_hooks.pop()  # RecordTrainSteps: in the tests' process only
    config = tmp_path / 'live_config.py'
    cfg.dump(config)
    command = [sys.executable, str(REPO / 'tools' / 'train.py'), str(config)]
    env = dict(os.environ, OMP_NUM_THREADS='1')
    subprocess.run(command + ['--work-dir', str(truth), '--cfg-options', 'oracle=ground_truth'],
                   env=env, check=True, capture_output=True)
    client = LabelStudioClient(connected.url, api_key=connected.api_key())

    person = Person(connected.url, connected.api_key(), work_dir, gt_root, CLASSES, only=3)
    person.start()
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while len(person.answered) < 3 and time.monotonic() < deadline:
            assert first.poll() is None, 'the run ended instead of waiting'
            time.sleep(0.5)
        assert len(person.answered) == 3
        time.sleep(1)  # the run is still waiting for the others
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    person.finish()
    assert (work_dir / 'iter_2.pth').is_file()
    project = json.loads((work_dir / 'queries' / 'label_studio_project.json').read_text())
    before = {t['id']: t['data']['labor_key'] for t in client.tasks(project['project'])}

    person = Person(connected.url, connected.api_key(), work_dir, gt_root, CLASSES)
    person.start()
    subprocess.run(command + ['--resume'], env=env, check=True, capture_output=True)
    person.finish()
    tasks = client.tasks(project['project'])
    round_1 = {t['id']: t['data']['labor_key'] for t in tasks if t['data']['labor_round'] == 1}
    assert round_1 == before  # the same tasks, none added
    assert len(set(round_1.values())) == len(round_1)
    answered = {t['id'] for t in tasks if t['total_annotations'] == 1}
    assert answered == {t['id'] for t in tasks}  # every task answered once: none lost or redone
    ours, theirs = LabelStore.open(work_dir / 'label_store'), LabelStore.open(truth / 'label_store')
    assert ours.totals()['queried_pixels'] == theirs.totals()['queried_pixels']
    for key in {t['data']['labor_key'] for t in tasks}:
        assert np.array_equal(ours.read(key), theirs.read(key)), key
    assert lrs(work_dir) == lrs(truth) and len(lrs(truth)) == 6
