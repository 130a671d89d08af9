"""The human oracle: export queries, stop, import answers, resume."""
import json
import os
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest
from mmengine.runner import Runner

from labor_mmseg.labeling import QUERIED_UNANSWERED, QUERIED_VOID, LabelStore, read_queries
from labor_mmseg.labeling.label_studio import VOID_LABEL

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

    # A person answers from the ground truth (void, 254, where it has no class) but leaves one
    # pixel per image unsure (255).
    answers = tmp_path / 'answers'
    gt_root = tiny_benchmark / 'cityscapes' / 'gtFine' / 'train'
    for key, mask in queries.items():
        gt = cv2.imread(str(gt_root / f'{key}_gtFine_labelTrainIds.png'), cv2.IMREAD_UNCHANGED)
        answer = np.where(mask, np.where(gt == 255, QUERIED_VOID, gt), 255).astype(np.uint8)
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
    report = json.loads((tmp_path / 'reports' / 'report.json').read_text())
    assert [(r['oracle'], r['queried']) for r in report['rounds']] == [('human', 6 * 40)]
    manifest = json.loads((tmp_path / 'label_store' / 'manifest.json').read_text())
    store = LabelStore(tmp_path / 'label_store', manifest['dataset'])
    entry = store.manifest['rounds'][0]
    assert entry['queried'] == 6 * 40 and entry['oracle'] == 'human'
    assert entry['unanswered'] == 6  # one unsure pixel per image: spent, not labeled
    for key, mask in queries.items():
        stored = store.read(key)
        assert ((stored != 255) == mask).all()
        assert (stored == QUERIED_UNANSWERED).sum() == 1


def test_exported_rounds_go_by_number_and_answered_ones_drop_out(tmp_path):
    """round_10 comes after round_9 (not between round_1 and round_2)."""
    from labor_mmseg.labeling.selection_round import exported_rounds, unanswered_rounds
    store = LabelStore(tmp_path / 'store', dict(name='x'), num_classes=2)
    numbers = (1, 2, 9, 10)
    for number in numbers:
        (tmp_path / 'queries' / f'round_{number}').mkdir(parents=True)
        (tmp_path / 'queries' / f'round_{number}' / 'round.json').write_text(
            json.dumps(dict(round=number)))
    (tmp_path / 'queries' / 'round_3').mkdir()  # no round.json: not exported (yet)
    assert [p.name for p in exported_rounds(tmp_path / 'queries')] == [
        f'round_{n}' for n in numbers]
    for i, number in enumerate(numbers):
        store.commit_round(number - 1, number, {})
        assert [p.name for p in unanswered_rounds(tmp_path / 'queries', store)] == [
            f'round_{n}' for n in numbers[i + 1:]]


def store_bytes(store_dir) -> dict:
    """Every file of a label store (labels and manifest) by path, as bytes."""
    return {p: p.read_bytes() for p in sorted(store_dir.rglob('*')) if p.is_file()}


def annotate_from_ground_truth(tasks: list[dict], gt_root, classes: list[str]) -> list[dict]:
    """A Label Studio export of ``tasks`` as a simulated annotator makes it: each pre-annotated
    point given its ground-truth class, void where the ground truth has none (an older, wrong
    annotation first: the latest wins)."""
    names = {**dict(enumerate(classes)), 255: VOID_LABEL}
    export = []
    for n, task in enumerate(tasks):
        key = task['data']['labor_key']
        gt = cv2.imread(str(gt_root / f'{key}_gtFine_labelTrainIds.png'), cv2.IMREAD_UNCHANGED)
        results = []
        for result in task['predictions'][0]['result']:
            value = result['value']
            y = int(value['y'] / 100 * result['original_height'])
            x = int(value['x'] / 100 * result['original_width'])
            results.append({**result, 'value': {**value, 'keypointlabels': [names[gt[y, x]]]}})
        wrong = [{**r, 'value': {**r['value'], 'keypointlabels': [classes[0]]}} for r in results]
        export.append(dict(id=100 + n, data=task['data'], annotations=[
            dict(id=2 * n, updated_at='2026-12-01T10:00:00Z', result=wrong),
            dict(id=2 * n + 1, updated_at='2026-12-01T11:00:00Z', result=results)]))
    return export


def test_a_round_goes_through_label_studio_files_and_back(tiny_benchmark, tmp_path):
    """oracle='human' writes Label Studio tasks and a labeling config; an export of them is
    checked whole before anything is stored, then stored as the ground truth would be."""
    Runner.from_cfg(human_config(tiny_benchmark, tmp_path)).train()
    out = tmp_path / 'queries' / 'round_1' / 'label_studio'
    tasks = json.loads((out / 'tasks.json').read_text())
    queries = read_queries(out.parent)
    assert sorted(t['data']['labor_key'] for t in tasks) == sorted(queries)
    assert all(t['data']['image'].startswith('/data/local-files/?d=') for t in tasks)
    config = (out / 'labeling_config.xml').read_text()
    classes = json.loads((out.parent / 'round.json').read_text())['classes']
    assert all(f'value="{c}"' in config for c in classes) and VOID_LABEL in config
    gt_root = tiny_benchmark / 'cityscapes' / 'gtFine' / 'train'
    export = annotate_from_ground_truth(tasks, gt_root, classes)

    store_dir = tmp_path / 'label_store'
    before = store_bytes(store_dir)
    bad = json.loads(json.dumps(export))
    bad[3]['annotations'][1]['result'][5]['value']['keypointlabels'] = ['no such class']
    bad_file = tmp_path / 'bad.json'
    bad_file.write_text(json.dumps(bad))
    failed = subprocess.run([sys.executable, str(REPO / 'tools' / 'import_answers.py'),
                             str(tmp_path), str(bad_file)], capture_output=True, text=True)
    assert failed.returncode != 0 and 'no such class' in failed.stderr
    assert f'task {bad[3]["id"]}' in failed.stderr and 'nothing was stored' in failed.stderr
    assert store_bytes(store_dir) == before

    skipped = export.pop()  # one image left unanswered: listed, not stored
    good_file = tmp_path / 'export.json'
    good_file.write_text(json.dumps(export))
    refused = subprocess.run([sys.executable, str(REPO / 'tools' / 'import_answers.py'),
                              str(tmp_path), str(good_file)], capture_output=True, text=True)
    assert refused.returncode != 0 and skipped['data']['labor_key'] in refused.stderr
    done = subprocess.run([sys.executable, str(REPO / 'tools' / 'import_answers.py'),
                           str(tmp_path), str(good_file), '--allow-missing'],
                          capture_output=True, text=True, check=True)
    assert f'unanswered: {skipped["data"]["labor_key"]}' in done.stdout
    store = LabelStore.open(store_dir)
    assert store.manifest['rounds'][-1]['queried'] == 5 * 40
    for key, mask in queries.items():
        gt = cv2.imread(str(gt_root / f'{key}_gtFine_labelTrainIds.png'), cv2.IMREAD_UNCHANGED)
        gt = np.where(gt == 255, QUERIED_VOID, gt)  # asked, no class: spent, not labeled
        if key == skipped['data']['labor_key']:
            assert store.read(key) is None  # nothing of it spent
        else:
            assert (store.read(key) == np.where(mask, gt, 255)).all(), key


@pytest.fixture(scope='module')
def answered_round(tiny_benchmark, tmp_path_factory):
    """A work dir stopped at a human round, and an export answering it from the ground truth."""
    work_dir = tmp_path_factory.mktemp('human_round')
    Runner.from_cfg(human_config(tiny_benchmark, work_dir)).train()
    round_dir = work_dir / 'queries' / 'round_1'
    tasks = json.loads((round_dir / 'label_studio' / 'tasks.json').read_text())
    classes = json.loads((round_dir / 'round.json').read_text())['classes']
    gt_root = tiny_benchmark / 'cityscapes' / 'gtFine' / 'train'
    return work_dir, annotate_from_ground_truth(tasks, gt_root, classes)


def set_first_result(export, **fields):
    """Change fields of the winning annotation's first result of the first task (dotted: value)."""
    result = export[0]['annotations'][1]['result'][0]
    for name, value in fields.items():
        target, _, key = name.rpartition('__')
        (result[target] if target else result)[key] = value


BAD_EXPORTS = {  # kind -> (change of a good export, words of the error)
    'wrong task key': (lambda e: e[0]['data'].update(labor_key='nowhere/x'),
                       r'task 100: field "data.labor_key" .*not a queried image'),
    'unknown class': (lambda e: set_first_result(e, value__keypointlabels=['unicorn']),
                      r'task 100, annotation 1, .*class .unicorn. is not one of'),
    'point outside the image': (lambda e: set_first_result(e, value__x=130.0),
                                r'task 100, annotation 1, .*not a point inside the image'),
    'truncated JSON': (lambda e: 'truncated', r'not valid JSON \(truncated\?\)'),
    'empty annotation': (lambda e: e[2]['annotations'][1].update(result=[]),
                         r'task 102, annotation 5: field "result" is empty'),
    'duplicate task': (lambda e: e.append(dict(e[1], id=999)),
                       r'task 999: .* repeats task 101 \(duplicate task'),
    'wrong image size': (lambda e: set_first_result(e, original_width=64),
                         r'task 100, .*"original_width"/"original_height" is 64x64'),
    'mixed rounds': (lambda e: e[4]['data'].update(labor_round=3),
                     r'task 104: field "data.labor_round" is 3, the round asked is 1'),
    'another round': (lambda e: [t['data'].update(labor_round=2) for t in e],
                      r'task 100: field "data.labor_round" is 2, the round asked is 1'),
    'another run': (lambda e: [t['data'].update(labor_run='0123456789ab') for t in e],
                    r"task 100: field \"data.labor_run\" is '0123456789ab', this run is "
                    r"'[0-9a-f]{12}': the task belongs to another run"),
    'missing task': (lambda e: e.pop(3), r'1 queried images have no task or annotation'),
    'unknown tool': (lambda e: set_first_result(e, from_name='polygon'),
                     r'task 100, annotation 1, .*"from_name"/"to_name" is .polygon.'),
}


@pytest.mark.parametrize('kind', list(BAD_EXPORTS))
def test_a_bad_label_studio_export_is_refused_by_name_and_stores_nothing(answered_round,
                                                                        tmp_path, kind):
    from labor_mmseg.labeling.label_studio import LabelStudioExportError
    from labor_mmseg.labeling.selection_round import import_label_studio_answers
    source, good = answered_round
    work_dir = tmp_path / 'work'
    shutil.copytree(source, work_dir)
    change, message = BAD_EXPORTS[kind]
    export = json.loads(json.dumps(good))
    truncated = change(export) == 'truncated'
    path = tmp_path / 'export.json'
    path.write_text(json.dumps(export)[:-200] if truncated else json.dumps(export))
    store = work_dir / 'label_store'
    before = store_bytes(store)
    with pytest.raises(LabelStudioExportError, match=message):
        import_label_studio_answers(work_dir / 'queries' / 'round_1', path)
    assert store_bytes(store) == before
    # The good export still goes in afterwards: nothing was half-done.
    good_path = tmp_path / 'good.json'
    good_path.write_text(json.dumps(good))
    entry, _ = import_label_studio_answers(work_dir / 'queries' / 'round_1', good_path)
    assert entry['queried'] == 6 * 40


def test_strokes_outside_a_query_are_clipped_and_counted(answered_round, tmp_path):
    from labor_mmseg.labeling.label_studio import BRUSH_NAME, brush_to_rle
    from labor_mmseg.labeling.selection_round import import_label_studio_answers
    source, good = answered_round
    work_dir = tmp_path / 'work'
    shutil.copytree(source, work_dir)
    export = json.loads(json.dumps(good))
    first = export[0]['annotations'][1]['result']
    height, width = first[0]['original_height'], first[0]['original_width']
    # A stroke over the whole image, first: the points' classes then overwrite it where asked.
    first.insert(0, {**first[0], 'id': 'stroke', 'type': 'brushlabels', 'from_name': BRUSH_NAME,
                     'value': dict(format='rle', rle=brush_to_rle(np.ones((height, width), bool)),
                                   brushlabels=[first[0]['value']['keypointlabels'][0]])})
    path = tmp_path / 'export.json'
    path.write_text(json.dumps(export))
    entry, read = import_label_studio_answers(work_dir / 'queries' / 'round_1', path)
    key = export[0]['data']['labor_key']
    assert read.clipped[key] == height * width - 40
    store = LabelStore.open(work_dir / 'label_store')
    assert ((store.read(key) != 255) == read_queries(work_dir / 'queries' / 'round_1')[key]).all()


LOCK = ('import sys, time\n'  # lock the store argv[1] and hold it argv[2] seconds
        'from labor_mmseg.labeling import LabelStore\n'
        'store = LabelStore.open(sys.argv[1])\n'
        'store.lock()\n'
        'print("locked", flush=True)\n'
        'time.sleep(float(sys.argv[2]))\n')


def test_a_second_writer_is_refused_naming_the_first(answered_round, tmp_path):
    """An import while another process writes the store (a training, an import) is refused
    with that process's pid and command, and stores nothing; once the other process is gone,
    killed or not, the import goes in."""
    source, good = answered_round
    work_dir = tmp_path / 'work'
    shutil.copytree(source, work_dir)
    export = tmp_path / 'export.json'
    export.write_text(json.dumps(good))
    store = work_dir / 'label_store'
    holder = subprocess.Popen([sys.executable, '-c', LOCK, str(store), '600'],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'locked'
        before = store_bytes(store)
        refused = subprocess.run([sys.executable, str(REPO / 'tools' / 'import_answers.py'),
                                  str(work_dir), str(export)], capture_output=True, text=True)
        assert refused.returncode != 0
        assert f'in use by process {holder.pid} ' in refused.stderr
        assert 'nothing was stored' in refused.stderr
        assert store_bytes(store) == before
    finally:
        holder.kill()  # SIGKILL: the lock goes with the process
        holder.wait()
    imported = subprocess.run([sys.executable, str(REPO / 'tools' / 'import_answers.py'),
                               str(work_dir), str(export)], capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    assert LabelStore.open(store).manifest['rounds'][-1]['queried'] == 6 * 40


def test_a_training_holds_its_store_until_it_stops(tiny_benchmark, tmp_path):
    """While a run trains, another process cannot take its store; a run stopped for a person
    leaves it free for the import."""
    from mmengine.hooks import Hook
    from mmseg.registry import HOOKS

    from labor_mmseg.labeling import StoreInUseError

    seen = []

    @HOOKS.register_module(force=True)
    class TryTheStore(Hook):  # what another process sees, asked during training
        def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
            if not seen:
                seen.append(subprocess.run(
                    [sys.executable, '-c', LOCK, str(tmp_path / 'label_store'), '0'],
                    capture_output=True, text=True, timeout=120))

    cfg = human_config(tiny_benchmark, tmp_path)
    cfg.custom_hooks.append(dict(type='TryTheStore'))
    Runner.from_cfg(cfg).train()
    refused = seen[0]
    assert refused.returncode != 0 and StoreInUseError.__name__ in refused.stderr
    assert f'in use by process {os.getpid()} ' in refused.stderr
    store = LabelStore.open(tmp_path / 'label_store')
    store.lock()  # stopped at the round: free
    store.unlock()
