"""Tests for ``labor_mmseg.labeling``: the label store and the oracles."""

import json
import os
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from labor_mmseg.labeling import (
    QUERIED_VOID,
    GroundTruthOracle,
    LabelStore,
    export_queries,
    import_answers,
    label_stats,
)
from labor_mmseg.labeling.effort import (
    REVIEW_FIELDS,
    SECONDS_PER_CLICK,
    add_effort,
    mask_effort,
    no_effort,
)
from labor_mmseg.labeling.label_store import QUERIED_UNANSWERED, write_atomic

SIGNATURE = {'type': 'CityscapesDataset', 'data_root': 'data/cityscapes', 'num_images': 2}
KEY = 'aachen/aachen_000000_000019'


def sparse(shape, pixels: dict[tuple[int, int], int]) -> np.ndarray:
    labels = np.full(shape, 255, dtype=np.uint8)
    for (y, x), value in pixels.items():
        labels[y, x] = value
    return labels


def test_round_trip_and_subdirectories(tmp_path):
    store = LabelStore(tmp_path / 'label_store', SIGNATURE)
    assert store.read(KEY) is None
    assert not store.queried_mask(KEY, (4, 5)).any()
    store.add(KEY, sparse((4, 5), {(0, 0): 3, (2, 4): 18}))
    store.add(KEY, sparse((4, 5), {(1, 1): 0}))
    assert store.path(KEY) == tmp_path / 'label_store' / 'labels' / 'aachen' / f'{KEY[7:]}.png'
    expected = sparse((4, 5), {(0, 0): 3, (2, 4): 18, (1, 1): 0})
    np.testing.assert_array_equal(store.read(KEY), expected)
    np.testing.assert_array_equal(cv2.imread(str(store.path(KEY)), cv2.IMREAD_UNCHANGED), expected)
    np.testing.assert_array_equal(store.queried_mask(KEY, (4, 5)), expected != 255)
    reopened = LabelStore(tmp_path / 'label_store', dict(SIGNATURE))
    np.testing.assert_array_equal(reopened.read(KEY), expected)


def test_writes_leave_no_temporary_files(tmp_path):
    store = LabelStore(tmp_path, SIGNATURE)
    store.add(KEY, sparse((3, 3), {(0, 0): 1}))
    store.add('other', sparse((3, 3), {(1, 1): 2}))
    store.commit_round(0, 100, {})
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob('*') if p.is_file())
    assert files == [f'labels/{KEY}.png', 'labels/other.png', 'manifest.json',
                     f'rounds/{KEY}.png', 'rounds/other.png']


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    store = LabelStore(tmp_path, SIGNATURE)
    store.add(KEY, sparse((3, 3), {(0, 0): 1}))

    def crash(src, dst):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'replace', crash)
    with pytest.raises(OSError, match='disk full'):
        store.add(KEY, sparse((3, 3), {(1, 1): 2}))
    monkeypatch.undo()
    np.testing.assert_array_equal(store.read(KEY), sparse((3, 3), {(0, 0): 1}))
    assert [p.name for p in store.path(KEY).parent.iterdir()] == [store.path(KEY).name]


def test_a_pixel_is_never_queried_twice(tmp_path):
    store = LabelStore(tmp_path, SIGNATURE)
    store.add(KEY, sparse((3, 3), {(0, 0): 1}))
    with pytest.raises(ValueError, match='already queried'):
        store.add(KEY, sparse((3, 3), {(0, 0): 1, (2, 2): 4}))
    np.testing.assert_array_equal(store.read(KEY), sparse((3, 3), {(0, 0): 1}))  # unchanged


def test_void_and_unanswered_spend_the_query_but_stay_unlabeled(tmp_path):
    store = LabelStore(tmp_path / 'label_store', SIGNATURE)
    queried = np.zeros((4, 5), dtype=bool)
    queried[0, :3] = True  # three pixels asked: answered class 2, void, and left unanswered
    store.add(KEY, sparse((4, 5), {(0, 0): 2, (0, 1): QUERIED_VOID}), queried)
    stored = store.read(KEY)
    assert stored[0, :3].tolist() == [2, QUERIED_VOID, QUERIED_UNANSWERED] == [2, 254, 253]
    np.testing.assert_array_equal(store.queried_mask(KEY, (4, 5)), queried)
    with pytest.raises(ValueError, match='already queried'):
        store.add(KEY, sparse((4, 5), {}), queried & (np.arange(5) == 1))
    with pytest.raises(ValueError, match='inside the queried'):
        store.add(KEY, sparse((4, 5), {(3, 3): 1}), np.zeros((4, 5), dtype=bool))
    with pytest.raises(ValueError, match='inside the queried'):
        store.add(KEY, sparse((4, 5), {(3, 3): QUERIED_VOID}), np.zeros((4, 5), dtype=bool))
    with pytest.raises(ValueError, match='outside 0..18, 254'):
        store.add(KEY, sparse((4, 5), {(3, 3): QUERIED_UNANSWERED}))  # not an answer
    assert store.labeled_pixels == 1
    store.commit_round(0, 10, {})
    entry = store.manifest['rounds'][0]
    assert (entry['pixels'], entry['queried'], entry['void'], entry['unanswered']) == (1, 3, 1, 1)
    assert store.labeled_pixels == 1 and store.manifest['queried_pixels'] == 3
    totals = LabelStore.open(tmp_path / 'label_store').totals()
    assert (totals['void_pixels'], totals['unanswered_pixels']) == (1, 1)


def test_num_classes_leaves_room_for_void_and_unanswered(tmp_path):
    LabelStore(tmp_path / 'a', SIGNATURE, num_classes=253)
    with pytest.raises(ValueError, match='num_classes must be in 1..253'):
        LabelStore(tmp_path / 'b', SIGNATURE, num_classes=254)
    with pytest.raises(ValueError, match='ignore_index'):
        LabelStore(tmp_path / 'c', SIGNATURE, ignore_index=254)


def test_add_validates_shape_and_values(tmp_path):
    store = LabelStore(tmp_path, SIGNATURE)
    store.add(KEY, sparse((3, 3), {(0, 0): 1}))
    with pytest.raises(ValueError, match=KEY):
        store.add(KEY, sparse((3, 4), {(0, 1): 1}))
    with pytest.raises(ValueError, match='outside 0..18'):
        store.add(KEY, sparse((3, 3), {(0, 1): 19}))
    with pytest.raises(ValueError, match='relative image id'):
        store.path('../escape')


def test_manifest_signature_mismatch_names_the_field(tmp_path):
    LabelStore(tmp_path, SIGNATURE)
    other = {**SIGNATURE, 'data_root': 'data/elsewhere'}
    with pytest.raises(ValueError, match=r'manifest\.json.*dataset\.data_root'):
        LabelStore(tmp_path, other)
    with pytest.raises(ValueError, match='num_classes'):
        LabelStore(tmp_path, SIGNATURE, num_classes=16)


def test_corrupt_or_truncated_png_raises_naming_the_file(tmp_path):
    store = LabelStore(tmp_path, SIGNATURE)
    store.add(KEY, sparse((8, 8), {(0, 0): 1}))
    path = store.path(KEY)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=re.escape(str(path))):
        store.read(KEY)
    path.write_bytes(b'not a png')
    with pytest.raises(ValueError, match='corrupt'):
        store.queried_mask(KEY, (8, 8))


def test_bad_values_in_a_label_file_raise(tmp_path):
    store = LabelStore(tmp_path, SIGNATURE)
    path = store.path(KEY)
    path.parent.mkdir(parents=True)
    cv2.imwrite(str(path), sparse((4, 4), {(1, 2): 200}))
    with pytest.raises(ValueError, match=re.escape(str(path)) + r'.*outside 0\.\.18, 253, 254'):
        store.read(KEY)
    cv2.imwrite(str(path), sparse((4, 4), {(1, 2): 252}))
    with pytest.raises(ValueError, match=r'\[252\]'):
        store.read(KEY)
    cv2.imwrite(str(path), sparse((4, 4), {(1, 2): 253, (1, 3): 254, (0, 0): 18}))
    assert store.read(KEY)[1, 2:].tolist() == [253, 254]
    cv2.imwrite(str(path), np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match='single-channel'):
        store.read(KEY)


def test_commit_round_records_counts_and_is_idempotent(tmp_path):
    store = LabelStore(tmp_path, SIGNATURE, num_classes=4)
    store.add(KEY, sparse((2, 3), {(0, 0): 1, (0, 1): 1, (1, 2): 3}))
    assert store.labeled_pixels == 3  # counted before the commit too
    store.commit_round(0, 10000, {'points': 3, 'strategy': 'ppl'})
    assert store.labeled_pixels == 3
    store.add('other', sparse((2, 2), {(0, 0): 0}))
    store.add(KEY, sparse((2, 3), {(1, 1): 2}))
    store.commit_round(1, 12000, {'points': 2})
    store.add('other', sparse((2, 2), {(1, 1): 0}))
    store.commit_round(2, 14000, {})
    assert store.completed_rounds == [0, 1, 2]
    assert store.labeled_pixels == 6
    manifest = json.loads((tmp_path / 'manifest.json').read_text())
    assert manifest == store.manifest
    assert manifest['version'] == 3 and manifest['dataset'] == SIGNATURE
    # Each round's effort is of its own pixels: round 1's (1, 1) touches round 0's region, and
    # round 2's pixel touches round 1's, yet each is a point of its round.
    region = mask_effort(sparse((2, 3), {(0, 0): 1, (0, 1): 1, (1, 2): 3}) != 255)
    assert (region['regions'], region['points']) == (1, 0)
    points = {n: dict(no_effort(), points=n, clicks=n, seconds=n * SECONDS_PER_CLICK)
              for n in (1, 2)}
    assert manifest['rounds'] == [
        {'round': 0, 'iteration': 10000, 'pixels': 3, 'queried': 3,
         'class_counts': [0, 2, 0, 1], 'images': 1, 'effort': region, 'void': 0,
         'unanswered': 0, 'points': 3, 'strategy': 'ppl'},
        {'round': 1, 'iteration': 12000, 'pixels': 2, 'queried': 2,
         'class_counts': [1, 0, 1, 0], 'images': 2, 'effort': points[2], 'void': 0,
         'unanswered': 0, 'points': 2},
        {'round': 2, 'iteration': 14000, 'pixels': 1, 'queried': 1,
         'class_counts': [1, 0, 0, 0], 'images': 1, 'effort': points[1], 'void': 0,
         'unanswered': 0},
    ]
    assert (manifest['labeled_pixels'], manifest['total_pixels']) == (6, 10)
    with pytest.raises(ValueError, match='round 1 is already committed'):
        store.commit_round(1, 16000, {})
    with pytest.raises(ValueError, match='pixels'):
        store.commit_round(3, 16000, {'pixels': 7})
    assert LabelStore(tmp_path, SIGNATURE, num_classes=4).completed_rounds == [0, 1, 2]


def test_reload_sees_rounds_committed_by_another_process(tmp_path):
    writer = LabelStore(tmp_path, SIGNATURE)
    reader = LabelStore(tmp_path, SIGNATURE)
    writer.add(KEY, sparse((2, 2), {(0, 0): 1}))
    writer.commit_round(0, 100, {})
    assert reader.completed_rounds == [] and reader.labeled_pixels == 0
    reader.reload()
    assert reader.completed_rounds == [0] and reader.labeled_pixels == 1
    assert LabelStore.label_path(tmp_path, KEY) == writer.path(KEY)


def test_within_a_process_the_latest_store_object_takes_the_lock_over(tmp_path):
    """A second object in the same process (a training rerun after a crash that kept the lock)
    takes the lock over; another process stays out until the holder unlocks."""
    import subprocess
    import sys
    other = ('import sys\nfrom labor_mmseg.labeling import LabelStore, StoreInUseError\n'
             'try:\n    LabelStore.open(sys.argv[1]).lock()\n'
             'except StoreInUseError:\n    sys.exit(3)\n')

    def other_process_locks() -> bool:
        code = subprocess.run([sys.executable, '-c', other, str(tmp_path)]).returncode
        assert code in (0, 3)
        return code == 0

    LabelStore(tmp_path, SIGNATURE).commit_round(0, 100, {})
    first, second = LabelStore.open(tmp_path), LabelStore.open(tmp_path)
    first.lock()
    second.lock()  # no StoreInUseError: the same process
    first.unlock()  # no longer its lock: releases nothing
    assert not other_process_locks()
    second.unlock()
    assert other_process_locks()


def test_label_stats():
    stats = label_stats(sparse((2, 2), {(0, 0): 2, (1, 1): 2, (0, 1): 0}), num_classes=3)
    assert stats == {'pixels': 3, 'queried': 3, 'class_counts': [1, 0, 2], 'void': 0,
                     'unanswered': 0}
    stats = label_stats(sparse((2, 3), {(0, 0): 2, (0, 1): QUERIED_VOID,
                                        (0, 2): QUERIED_UNANSWERED, (1, 0): QUERIED_VOID}),
                        num_classes=3)
    assert stats == {'pixels': 1, 'queried': 4, 'class_counts': [0, 0, 1], 'void': 2,
                     'unanswered': 1}


def strip_new_fields(root: Path) -> dict:
    """Make the store at ``root`` look written before run ids and void/unanswered counts."""
    manifest = json.loads((root / 'manifest.json').read_text())
    for name in ('run_id', 'void_pixels', 'unanswered_pixels'):
        del manifest[name]
    for entry in manifest['rounds']:
        del entry['void'], entry['unanswered']
    (root / 'manifest.json').write_text(json.dumps(manifest))
    return manifest


def test_a_store_without_void_counts_reads_as_before(tmp_path):
    """A store written before unanswered pixels were told apart holds 254 for both: its rounds
    and numbers stay as they are, its totals' counts are unknown, and a new round counts its
    own void and unanswered pixels (254 before it being void)."""
    store = LabelStore(tmp_path, SIGNATURE, num_classes=4)
    queried = np.zeros((3, 3), bool)
    queried[0] = True
    store.add(KEY, sparse((3, 3), {(0, 0): 1, (0, 1): QUERIED_VOID, (0, 2): QUERIED_VOID}),
              queried)
    store.commit_round(0, 10, {})
    manifest = strip_new_fields(tmp_path)
    old = LabelStore.open(tmp_path)
    assert old.manifest == manifest
    totals = old.totals()
    assert (totals['labeled_pixels'], totals['queried_pixels']) == (1, 3)
    assert totals['void_pixels'] is totals['unanswered_pixels'] is None
    queried = np.zeros((3, 3), bool)
    queried[1] = True
    old.add(KEY, sparse((3, 3), {(1, 0): QUERIED_VOID, (1, 1): 2}), queried)
    old.commit_round(1, 20, {})
    entry = old.manifest['rounds'][1]
    assert (entry['pixels'], entry['queried'], entry['void'], entry['unanswered']) == (1, 3, 1, 1)
    assert old.manifest['rounds'][0] == manifest['rounds'][0]
    assert old.totals()['void_pixels'] is None  # round 0's is unknown
    assert (old.manifest['void_pixels'], old.manifest['unanswered_pixels']) == (3, 1)


def test_a_store_has_a_run_id_from_its_creation_or_first_lock(tmp_path):
    store = LabelStore(tmp_path / 'new', SIGNATURE)
    assert re.fullmatch('[0-9a-f]{12}', store.run_id)
    assert LabelStore.open(tmp_path / 'new').run_id == store.run_id
    assert LabelStore(tmp_path / 'other', SIGNATURE).run_id != store.run_id
    old = LabelStore(tmp_path / 'old', SIGNATURE)
    old.commit_round(0, 10, {})
    strip_new_fields(tmp_path / 'old')
    reader = LabelStore.open(tmp_path / 'old')
    assert reader.run_id is None  # not locked: nothing written
    writer = LabelStore.open(tmp_path / 'old')
    writer.lock()
    try:
        run_id = writer.run_id
        assert re.fullmatch('[0-9a-f]{12}', run_id)
        manifest = json.loads((tmp_path / 'old' / 'manifest.json').read_text())
        assert manifest['run_id'] == run_id and manifest['rounds'] == writer.manifest['rounds']
        reader.reload()
        assert reader.run_id == run_id
        reader.lock()  # takes the lock over in this process: keeps the id
        assert reader.run_id == run_id == LabelStore.open(tmp_path / 'old').run_id
    finally:
        reader.unlock()


def test_rounds_carry_their_review_and_the_totals_sum_it(tmp_path):
    store = LabelStore(tmp_path, SIGNATURE)
    review = dict(proposals=3, accepted=2, relabeled=1, repainted=0, skipped=0, clicks=2,
                  seconds=3 * 1.6 + 2 * SECONDS_PER_CLICK)
    store.add(KEY, sparse((3, 3), {(0, 0): 1}))
    store.commit_round(0, 10, {'review': review})
    store.add(KEY, sparse((3, 3), {(2, 2): 1}))
    store.commit_round(1, 20, {'review': review})
    assert store.manifest['rounds'][1]['review'] == review
    assert store.totals()['review'] == add_effort(review, review, REVIEW_FIELDS)
    with pytest.raises(ValueError, match='review'):
        store.commit_round(2, 30, {'review': {'proposals': 1}})
    store.commit_round(2, 30, {})
    assert store.totals()['review'] is None  # round 3 has none
    assert LabelStore(tmp_path / 'empty', SIGNATURE).totals()['review'] == no_effort(
        REVIEW_FIELDS)


# --- oracles -----------------------------------------------------------------------------------

def write_gt(path: Path, gt: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), gt)
    return path


def test_ground_truth_oracle_answers_only_the_mask(tmp_path):
    gt = np.arange(12, dtype=np.uint8).reshape(3, 4) % 19
    gt[2, 3] = 255
    path = write_gt(tmp_path / 'gt' / 'a_labelTrainIds.png', gt)
    mask = np.zeros((3, 4), dtype=bool)
    mask[0, 1] = mask[2, 2] = mask[2, 3] = True
    answer = GroundTruthOracle().query(str(path), mask)
    assert answer.dtype == np.uint8
    np.testing.assert_array_equal(answer, sparse((3, 4), {(0, 1): 1, (2, 2): 10}))


def test_ground_truth_oracle_errors_name_the_file(tmp_path):
    missing = tmp_path / 'missing.png'
    with pytest.raises(FileNotFoundError, match='missing.png'):
        GroundTruthOracle().query(str(missing), np.ones((2, 2), dtype=bool))
    path = write_gt(tmp_path / 'small.png', np.zeros((2, 2), np.uint8))
    with pytest.raises(ValueError, match='small.png'):
        GroundTruthOracle().query(str(path), np.ones((3, 2), dtype=bool))


def test_export_import_round_trip(tmp_path):
    queries = {KEY: np.zeros((3, 4), dtype=bool), 'b': np.zeros((2, 2), dtype=bool)}
    queries[KEY][0, 1] = queries[KEY][2, 3] = True
    queries['b'][1, 0] = True
    path = export_queries(queries, tmp_path / 'queries', image_paths={KEY: 'img/a.png'})
    listing = json.loads(path.read_text())['queries']
    assert [q['key'] for q in listing] == [KEY, 'b']
    assert listing[0]['num_pixels'] == 2 and listing[0]['image'] == 'img/a.png'
    assert 'image' not in listing[1]
    mask_png = cv2.imread(str(tmp_path / 'queries' / listing[0]['mask']), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(mask_png, queries[KEY].astype(np.uint8) * 255)

    answers_dir = tmp_path / 'answers'
    write_gt(answers_dir / f'{KEY}.png', sparse((3, 4), {(0, 1): 7, (2, 3): 0}))
    write_gt(answers_dir / 'b.png', sparse((2, 2), {}))  # queried pixel left unanswered
    answers = import_answers(answers_dir, queries)
    np.testing.assert_array_equal(answers[KEY], sparse((3, 4), {(0, 1): 7, (2, 3): 0}))
    assert (answers['b'] == 255).all()


def test_import_rejects_answers_outside_the_query_or_range(tmp_path):
    queries = {'a': np.zeros((2, 2), dtype=bool)}
    queries['a'][0, 0] = True
    path = write_gt(tmp_path / 'a.png', sparse((2, 2), {(0, 0): 1, (1, 1): 2}))
    with pytest.raises(ValueError, match=r'a\.png: 1 answered pixels were not queried'):
        import_answers(tmp_path, queries)
    write_gt(path, sparse((2, 2), {(0, 0): 30}))
    with pytest.raises(ValueError, match=r'a\.png.*outside'):
        import_answers(tmp_path, queries)
    write_gt(path, sparse((3, 2), {(0, 0): 1}))
    with pytest.raises(ValueError, match=r'a\.png'):
        import_answers(tmp_path, queries)


def test_the_store_owns_its_shares_of_the_target_set(tmp_path):
    store = LabelStore(tmp_path, {'name': 'x'}, num_classes=3, target_images=2, target_pixels=32)
    labels = np.full((4, 4), 255, np.uint8)
    labels[0, :2] = 1
    queried = labels != 255
    queried[1, 0] = True  # asked, left unanswered
    store.add('a', labels, queried)
    with pytest.raises(ValueError, match='points_per_image'):
        store.commit_round(0, 10, {'points_per_image': 9})  # the store counts it
    store.commit_round(0, 10, {'strategy': 'spl'})
    entry = store.manifest['rounds'][0]
    assert entry['points_per_image'] == 1.5  # 3 queried over 2 target images
    assert entry['labeled_percent'] == 100 * 2 / 32 and entry['queried_percent'] == 100 * 3 / 32
    # Reopened without the size (an import tool), the store keeps the one it recorded.
    totals = LabelStore.open(tmp_path).totals()
    assert totals == dict(rounds=1, labeled_pixels=2, queried_pixels=3, labeled_percent=6.25,
                          queried_percent=100 * 3 / 32, queried_per_image=1.5,
                          void_pixels=0, unanswered_pixels=1, effort=mask_effort(queried),
                          review=None)
    with pytest.raises(ValueError, match='target_pixels'):
        LabelStore(tmp_path, {'name': 'x'}, num_classes=3, target_pixels=64)
    with pytest.raises(ValueError, match='target_images'):
        LabelStore(tmp_path / 'new', {'name': 'x'}, target_images=0)
    with pytest.raises(FileNotFoundError, match='no label store'):
        LabelStore.open(tmp_path / 'missing')


def test_the_effort_of_hand_made_masks():
    """A 3 x 3 square is one region: 12 pixel edges of outline, 4 polygon corners, 5 clicks
    (its class and 4 vertices); a lone pixel is a point, one click; diagonal neighbours are
    one region (8-connected); a hole adds its outline."""
    square = np.zeros((8, 8), bool)
    square[1:4, 1:4] = True
    assert mask_effort(square) == dict(regions=1, points=0, boundary_pixels=12, vertices=4,
                                       clicks=5, seconds=5 * SECONDS_PER_CLICK)
    lone = np.zeros((8, 8), bool)
    lone[6, 6] = True
    assert mask_effort(lone) == dict(no_effort(), points=1, clicks=1, seconds=SECONDS_PER_CLICK)
    both = mask_effort(square | lone)
    assert (both['regions'], both['points'], both['clicks']) == (1, 1, 6)
    diagonal = np.zeros((8, 8), bool)
    diagonal[2, 2] = diagonal[3, 3] = True
    assert (mask_effort(diagonal)['regions'], mask_effort(diagonal)['points']) == (1, 0)
    ring = np.zeros((8, 8), bool)
    ring[1:6, 1:6] = True
    ring[3, 3] = False
    assert mask_effort(ring)['boundary_pixels'] == 20 + 4
    assert mask_effort(np.zeros((4, 4), bool)) == no_effort()


def test_a_version_2_store_gets_round_maps_and_efforts_from_then_on(tmp_path):
    """A store written before round maps opens as version 3: its labels are marked as bought
    before them, its totals have no effort, and a new round's effort is of its own pixels."""
    store = LabelStore(tmp_path, SIGNATURE, num_classes=4)
    store.add(KEY, sparse((3, 3), {(0, 0): 1, (0, 1): 1}))
    store.commit_round(0, 10, {})
    manifest = json.loads((tmp_path / 'manifest.json').read_text())
    manifest['version'] = 2
    del manifest['rounds'][0]['effort']
    (tmp_path / 'manifest.json').write_text(json.dumps(manifest))
    for path in (tmp_path / 'rounds').rglob('*.png'):
        path.unlink()
    store = LabelStore(tmp_path, SIGNATURE, num_classes=4)
    assert store.manifest['version'] == 3 and store.totals()['effort'] is None
    marks = cv2.imread(str(store.round_map_path(KEY)), cv2.IMREAD_UNCHANGED)
    assert (marks == 255).sum() == 2 and (marks == 0).sum() == 7
    store.add(KEY, sparse((3, 3), {(2, 2): 3}))
    store.commit_round(1, 20, {})
    assert store.manifest['rounds'][1]['effort'] == dict(no_effort(), points=1, clicks=1,
                                                         seconds=SECONDS_PER_CLICK)
    with pytest.raises(ValueError, match='another dataset or format'):  # checked before upgrade
        manifest['dataset'] = {'type': 'Other'}
        (tmp_path / 'manifest.json').write_text(json.dumps(manifest))
        LabelStore(tmp_path, SIGNATURE, num_classes=4)


def test_an_atomic_write_has_the_mode_open_would_give(tmp_path):
    """Files others read (a dataset's rare class counts, a shared label store) are not 0600."""
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / 'counts.json', b'{}')
    finally:
        os.umask(umask)
    assert (tmp_path / 'counts.json').stat().st_mode & 0o777 == 0o644
