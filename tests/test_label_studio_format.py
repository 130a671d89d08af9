"""Label Studio format layer: config XML, brush RLE, round tasks, reading exports."""
import copy
import json
import xml.etree.ElementTree as ET

import cv2
import numpy as np
import pytest
from mmseg.datasets import CityscapesDataset

from labor_mmseg.labeling import QUERIED_VOID, RoundRequest
from labor_mmseg.labeling.label_studio import (
    LabelStudioExportError,
    brush_to_rle,
    labeling_config,
    read_export,
    rle_decode,
    rle_encode,
    rle_to_brush,
    round_tasks,
)
from labor_mmseg.labeling.proposals import make_proposals

CLASSES = CityscapesDataset.METAINFO['classes']
PALETTE = CityscapesDataset.METAINFO['palette']


# --- labeling config -----------------------------------------------------------------------------

def test_labeling_config_parses_and_holds_every_class_with_its_colour():
    root = ET.fromstring(labeling_config(CLASSES, PALETTE))
    assert root.tag == 'View'
    image = root.find('Image')
    assert image.get('name') == 'image' and image.get('value') == '$image'
    for tag, name in (('BrushLabels', 'label'), ('KeyPointLabels', 'point')):
        control = root.find(tag)
        assert control.get('name') == name and control.get('toName') == 'image'
        labels = [(lab.get('value'), lab.get('background')) for lab in control.findall('Label')]
        assert labels == [(c, '#{:02x}{:02x}{:02x}'.format(*p))
                          for c, p in zip(CLASSES, PALETTE, strict=True)]
    assert root.find('BrushLabels/Label').get('background') == '#804080'  # road


def test_labeling_config_escapes_names_and_adds_void_label():
    names = ['a & b', '<c>', 'say "d"']
    root = ET.fromstring(labeling_config(names, [[1, 2, 3]] * 3, void_label='void'))
    values = [lab.get('value') for lab in root.find('BrushLabels').findall('Label')]
    assert values == names + ['void']
    with pytest.raises(ValueError, match='palette'):
        labeling_config(names, [[1, 2, 3]] * 2)
    with pytest.raises(ValueError, match='unique'):
        labeling_config(['a', 'a'], [[1, 2, 3]] * 2)


# --- RLE -----------------------------------------------------------------------------------------

def test_rle_hand_worked_example():
    # 1x2 mask [[True, False]]: RGBA values 255 x4 then 0 x4.
    bits = ('0' * 28 + '1000'        # 32-bit count: 8 values
            + '00111'                # word size 8 - 1
            + '0010' '0011' '0111' '1111'  # run-field widths 3, 4, 8, 16 (minus 1)
            + '1' '00' '011' '11111111'    # repeat, width #0 (3 bits), 4 - 1, value 255
            + '1' '00' '011' '00000000'    # repeat, width #0, 4 - 1, value 0
            + '0' * 7)                # 81 bits padded to 88
    expected = [int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)]
    mask = np.array([[True, False]])
    assert brush_to_rle(mask) == expected
    assert (rle_to_brush(expected, 1, 2) == mask).all()


def test_rle_bytes_as_label_studio_converter_writes_them():
    # Reference bytes written by label-studio-converter 0.0.59 (brush.mask2rle) for these masks.
    # The first is 96 bits long: Label Studio's encoder still pads a whole byte.
    row = np.array([[1, 1, 1, 0, 1]], bool)
    big = np.zeros((4, 90), bool)
    big[1], big[2, 3], big[3, 10:80] = True, True, True
    for mask, reference in (
            (row, [0, 0, 0, 20, 57, 27, 253, 191, 248, 192, 35, 255, 0]),
            (big, [0, 0, 5, 160, 57, 27, 255, 1, 103, 0, 224, 44, 255, 246, 192, 35, 255, 224,
                   47, 224, 28, 4, 95, 255, 19, 128, 0])):
        assert brush_to_rle(mask) == reference
        assert (rle_to_brush(reference, *mask.shape) == mask).all()


def test_rle_decodes_literal_chunks_and_other_field_widths():
    # A hand-made stream Label Studio's decoder accepts but our encoder never writes: word size
    # 4, widths 1/2/3/4, a literal chunk of 3 words then a repeat of 2.
    bits = ('0' * 29 + '101' + '00011' + '0000' '0001' '0010' '0011'
            + '0' '01' '10' '0001' '0010' '1111'   # literal, width #1 (2 bits): 2+1 words
            + '1' '00' '1' '0101')                 # repeat, width #0 (1 bit): 1+1 times 5
    bits += '0' * (-len(bits) % 8)
    data = [int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)]
    assert rle_decode(data).tolist() == [1, 2, 15, 5, 5]


@pytest.mark.parametrize('shape', [(1, 1), (3, 5), (17, 31), (64, 1), (1, 300)])
def test_rle_round_trip_random_and_edge_masks(shape):
    rng = np.random.default_rng(sum(shape))
    masks = [np.zeros(shape, bool), np.ones(shape, bool), rng.random(shape) < 0.5,
             rng.random(shape) < 0.03]
    single = np.zeros(shape, bool)
    single[shape[0] // 2, shape[1] - 1] = True
    masks.append(single)
    for mask in masks:
        rle = brush_to_rle(mask)
        assert all(isinstance(b, int) and 0 <= b <= 255 for b in rle)
        back = rle_to_brush(rle, *shape)
        assert back.dtype == bool and back.shape == shape and (back == mask).all()


def test_rle_long_runs_and_arbitrary_values():
    for n in (65535, 65536, 65537, 3 * 65536 + 5, 1024 * 2048 * 4):
        values = np.zeros(n, np.uint8)
        values[-1] = 9
        assert (rle_decode(rle_encode(values)) == values).all(), n
    values = np.random.default_rng(1).integers(0, 256, 5000).astype(np.uint8)
    assert (rle_decode(rle_encode(values)) == values).all()
    assert rle_decode(rle_encode(np.zeros(0, np.uint8))).size == 0


def test_rle_rejects_bad_input():
    rle = brush_to_rle(np.eye(6, dtype=bool))
    with pytest.raises(ValueError, match='truncated'):
        rle_decode(rle[:8])
    with pytest.raises(ValueError, match='holds 144 values'):
        rle_to_brush(rle, 6, 5)
    with pytest.raises(ValueError, match='bytes'):
        rle_decode([0, 300])
    with pytest.raises(ValueError, match='0..255'):
        rle_encode(np.array([256]))


# --- a small round -------------------------------------------------------------------------------

H, W = 30, 40


@pytest.fixture
def round_dir(tmp_path):
    """Round 2 of run 'run0', strategy 'ppl': a region query (brush proposals), a point query
    and a one-point query (keypoints), an image without a query; A's classes at random."""
    rng = np.random.default_rng(0)
    region = np.zeros((H, W), bool)
    region[5:25, 3:37] = rng.random((20, 34)) < 0.9
    points = np.zeros((H, W), bool)
    points[[0, 7, 29, 12], [0, 39, 5, 20]] = True
    one = np.zeros((H, W), bool)
    one[29, 39] = True
    queries = {'city/area': region, 'city/pts': points, 'one': one}
    predicted = rng.integers(0, 3, (3, H, W)).astype(np.uint8)
    proposals = {key: make_proposals(mask, pred, key != 'city/area')
                 for (key, mask), pred in zip(queries.items(), predicted, strict=True)}
    request = RoundRequest(
        run_id='run0', round_idx=1, iteration=40, strategy='ppl',
        queries={**queries, 'none': np.zeros((H, W), bool)},
        proposals={**proposals, 'none': make_proposals(np.zeros((H, W), bool),
                                                       predicted[0], False)},
        image_paths={k: f'/data/{k}.png' for k in [*queries, 'none']}, label_paths={},
        classes=list(CLASSES), palette=list(PALETTE), query_dir=tmp_path / 'round_2')
    gt = rng.integers(0, 19, (3, H, W)).astype(np.uint8)
    gt[0, 10:12] = 255  # unlabeled ground truth stays unanswered
    return request, queries, dict(zip(queries, gt, strict=True)), dict(zip(queries, predicted,
                                                                           strict=True))


def url(key, path):
    return f'http://host/data/{key}?p={path}'


def test_round_tasks_show_a_labeled_proposal_per_region_and_point(round_dir):
    request, queries, _, predicted = round_dir
    tasks = round_tasks(request, url)
    assert [t['data']['labor_key'] for t in tasks] == sorted(queries)  # 'none': no task
    by_key = {t['data']['labor_key']: t for t in tasks}
    for key, task in by_key.items():
        assert task['data'] == dict(image=f'http://host/data/{key}?p=/data/{key}.png',
                                    labor_run='run0', labor_round=2, labor_key=key)
        (pred,) = task['predictions']
        assert pred['model_version'] == 'labor-ppl'
        for r in pred['result']:
            assert (r['original_width'], r['original_height'], r['image_rotation'],
                    r['to_name']) == (W, H, 0, 'image')
    # Regions: one brush per connected region of one predicted class, labeled with it.
    brushes = by_key['city/area']['predictions'][0]['result']
    region, pred = queries['city/area'], predicted['city/area']
    assert {b['type'] for b in brushes} == {'brushlabels'}
    assert {b['from_name'] for b in brushes} == {'label'}
    union = np.zeros((H, W), bool)
    for b in brushes:
        (name,) = b['value']['brushlabels']
        painted = rle_to_brush(b['value']['rle'], H, W)
        assert (pred[painted] == CLASSES.index(name)).all() and not (painted & union).any()
        count, _ = cv2.connectedComponents(painted.view(np.uint8), connectivity=8)
        assert count == 2  # one region
        union |= painted
    assert (union == region).all()
    count = sum(cv2.connectedComponents((region & (pred == c)).view(np.uint8),
                                        connectivity=8)[0] - 1 for c in range(3))
    assert len(brushes) == count
    # Points: one keypoint per queried pixel at its centre, labeled with A's class there.
    pts = by_key['city/pts']['predictions'][0]['result']
    assert [r['type'] for r in pts] == ['keypointlabels'] * 4
    assert {r['from_name'] for r in pts} == {'point'}
    got = sorted((r['value']['y'], r['value']['x']) for r in pts)
    want = sorted(((y + 0.5) / H * 100, (x + 0.5) / W * 100)
                  for y, x in np.argwhere(queries['city/pts']))
    assert np.allclose(got, want)
    for r in pts:
        y, x = int(r['value']['y'] / 100 * H), int(r['value']['x'] / 100 * W)
        assert r['value']['keypointlabels'] == [CLASSES[predicted['city/pts'][y, x]]]
    one = by_key['one']['predictions'][0]['result'][0]['value']
    assert (one['x'], one['y']) == pytest.approx((39.5 / 40 * 100, 29.5 / 30 * 100))
    ids = [r['id'] for t in tasks for r in t['predictions'][0]['result']]
    assert len(set(ids)) == len(ids)
    again = round_tasks(request, url)
    assert ids == [r['id'] for t in again for r in t['predictions'][0]['result']]
    assert [t['data']['labor_key'] for t in round_tasks(request, url, ['one'])] == ['one']


def test_labeling_config_shows_only_the_tool_the_queries_need():
    brush = ET.fromstring(labeling_config(CLASSES, PALETTE, points=False))
    assert brush.find('BrushLabels') is not None and brush.find('KeyPointLabels') is None
    point = ET.fromstring(labeling_config(CLASSES, PALETTE, points=True))
    assert point.find('BrushLabels') is None and point.find('KeyPointLabels') is not None


# --- reading an export ---------------------------------------------------------------------------

def annotate(tasks, gt, spill=True):
    """A simulated annotator: labels every query from ground truth, as Label Studio exports it.

    Brushes paint each class of the queried regions over the whole image (``spill``), beyond
    the query: clipped."""
    export = []
    for n, task in enumerate(tasks):
        key = task['data']['labor_key']
        results = []
        queried = np.zeros((H, W), bool)
        proposals = copy.deepcopy(task['predictions'][0]['result'])
        for r in proposals:
            if r['type'] == 'keypointlabels':
                y, x = int(r['value']['y'] / 100 * H), int(r['value']['x'] / 100 * W)
                if gt[key][y, x] < 19:
                    r['value']['keypointlabels'] = [CLASSES[gt[key][y, x]]]
                    results.append(r)
                continue
            queried |= rle_to_brush(r['value']['rle'], H, W)
        for c in np.unique(gt[key][queried]):
            if c == 255:
                continue
            painted = (gt[key] == c) if spill else (gt[key] == c) & queried
            results.append(dict(proposals[0], id=f'gt-{c}', value=dict(
                format='rle', rle=brush_to_rle(painted), brushlabels=[CLASSES[c]])))
        export.append(dict(id=100 + n, data=task['data'], predictions=[7], annotations=[dict(
            id=1000 + n, result=results, was_cancelled=False, ground_truth=False,
            created_at='2024-05-01T10:00:00.000000Z', updated_at='2024-05-01T10:00:00.000000Z',
            task=100 + n, completed_by=1)]))
    return export


def test_simulated_annotator_reads_back_to_ground_truth(round_dir, tmp_path):
    request, queries, gt, _ = round_dir
    export = annotate(round_tasks(request, url), gt)
    path = tmp_path / 'export.json'
    path.write_text(json.dumps(export))
    for source in (export, path, str(path), path.read_text()):
        got = read_export(source, CLASSES, queries)
        assert got.missing == [] and set(got.answers) == set(queries)
        for key, mask in queries.items():
            want = np.where(mask, gt[key], 255)
            assert got.answers[key].dtype == np.uint8
            assert (got.answers[key] == want).all(), key
        outside = sum(int(((gt['city/area'] == c) & ~queries['city/area']).sum())
                      for c in range(19) if ((gt['city/area'] == c) & queries['city/area']).any())
        assert got.clipped['city/area'] == outside > 0
        assert got.clipped['city/pts'] == 0 and got.overwritten == dict.fromkeys(queries, 0)
        assert got.annotation_ids == {'city/area': 1000, 'city/pts': 1001, 'one': 1002}


def test_latest_annotation_wins_cancelled_skipped_missing_listed(round_dir):
    request, queries, gt, _ = round_dir
    export = annotate(round_tasks(request, url), gt, spill=False)
    good = export[1]['annotations'][0]
    wrong = copy.deepcopy(good)
    for r in wrong['result']:
        r['value']['keypointlabels'] = ['sky']
    # Older by time (though higher id), a tie on time lost by id, a newer but cancelled one.
    export[1]['annotations'] = [
        dict(wrong, id=5000, updated_at='2024-04-30T10:00:00Z'),
        good,
        dict(wrong, id=999, updated_at=good['updated_at']),
        dict(wrong, id=6000, updated_at='2024-06-01T00:00:00Z', was_cancelled=True)]
    export[2]['annotations'][0]['was_cancelled'] = True  # 'one': only cancelled -> missing
    del export[0]  # 'city/area': no task -> missing
    got = read_export(export, CLASSES, queries)
    assert got.missing == ['city/area', 'one'] and list(got.answers) == ['city/pts']
    assert (got.answers['city/pts'] == np.where(queries['city/pts'], gt['city/pts'], 255)).all()
    assert got.annotation_ids == {'city/pts': 1001}


def test_void_label_and_overlapping_strokes(round_dir):
    request, queries, gt, _ = round_dir
    export = annotate(round_tasks(request, url), gt, spill=False)
    region = queries['city/area']
    base = export[0]['annotations'][0]['result'][0]
    export[0]['annotations'][0]['result'].append(dict(base, id='void', value=dict(
        format='rle', rle=brush_to_rle(np.ones((H, W), bool)), brushlabels=['void'])))
    got = read_export(export, CLASSES, queries, void_label='void')
    assert (got.answers['city/area'][region] == QUERIED_VOID).all()
    assert (got.answers['city/area'][~region] == 255).all()
    assert got.overwritten['city/area'] == int((region & (gt['city/area'] < 19)).sum())
    assert got.clipped['city/area'] == int((~region).sum())


def mutate_brush(field, value):
    def change(export):
        export[0]['annotations'][0]['result'][0][field] = value
    return change


def mutate_value(kind, field, value):
    index = 0 if kind == 'brush' else 1

    def change(export):
        export[index]['annotations'][0]['result'][0]['value'][field] = value
    return change


def set_data(index, **data):
    def change(export):
        export[index]['data'].update(data)
    return change


def outside_the_query(export):
    result = export[0]['annotations'][0]['result'][0]
    result['value']['rle'] = brush_to_rle(np.broadcast_to(np.arange(H)[:, None] < 5, (H, W)))


def drop_key(export):
    del export[1]['data']['labor_key']


def duplicate(export):
    export.append(dict(copy.deepcopy(export[1]), id=555))


def empty_result(export):
    export[2]['annotations'][0]['result'] = []


def bad_time(export):
    export[1]['annotations'][0]['updated_at'] = 'yesterday'


# (mutation, task id the message must name, field it must name)
BAD_EXPORTS = {
    'key not queried': (set_data(1, labor_key='elsewhere'), 'task 101', 'data.labor_key'),
    'no key': (drop_key, 'task 101', 'data.labor_key'),
    'duplicate task': (duplicate, 'task 555', 'duplicate task'),
    'mixed rounds': (set_data(2, labor_round=1), 'task 102', 'data.labor_round'),
    'another run': (set_data(1, labor_run='run1'), 'task 101', "'run1', this run is 'run0'"),
    'brush outside the query': (outside_the_query, 'task 100', 'none of them queried'),
    'unknown class': (mutate_value('brush', 'brushlabels', ['tree']), 'task 100',
                      'value.brushlabels'),
    'brush without class': (mutate_value('brush', 'brushlabels', []), 'task 100',
                            'value.brushlabels'),
    'point outside image': (mutate_value('point', 'x', 100.5), 'task 101', 'value.x'),
    'negative point': (mutate_value('point', 'y', -1), 'task 101', 'value.y'),
    'empty annotation': (empty_result, 'task 102', '"result"'),
    'wrong width': (mutate_brush('original_width', W + 1), 'task 100', 'original_width'),
    'wrong height': (mutate_brush('original_height', H * 2), 'task 100', 'original_height'),
    'truncated rle': (mutate_value('brush', 'rle', [0, 0, 4]), 'task 100', 'value.rle'),
    'rle of other size': (mutate_value('brush', 'rle', brush_to_rle(np.ones((H + 1, W), bool))),
                          'task 100', 'value.rle'),
    'not rle': (mutate_value('brush', 'format', 'png'), 'task 100', 'value.format'),
    'other result type': (mutate_brush('type', 'rectanglelabels'), 'task 100', '"type"'),
    'other control': (mutate_brush('from_name', 'tag'), 'task 100', 'from_name'),
    'rotated image': (mutate_brush('image_rotation', 90), 'task 100', 'image_rotation'),
    'bad updated_at': (bad_time, 'task 101', 'updated_at'),
}


@pytest.mark.parametrize('case', BAD_EXPORTS)
def test_bad_export_raises_naming_task_and_field(round_dir, case):
    request, queries, gt, _ = round_dir
    export = annotate(round_tasks(request, url), gt, spill=False)
    read_export(export, CLASSES, queries, 'run0')  # the unchanged export is fine
    change, task, field = BAD_EXPORTS[case]
    change(export)
    with pytest.raises(LabelStudioExportError) as err:
        read_export(export, CLASSES, queries, 'run0')
    assert task in str(err.value) and field in str(err.value), str(err.value)
    assert isinstance(err.value, ValueError)


def test_expected_round_and_broken_files(round_dir, tmp_path):
    request, queries, gt, _ = round_dir
    export = annotate(round_tasks(request, url), gt, spill=False)
    with pytest.raises(LabelStudioExportError, match='task 100: field "data.labor_round"'):
        read_export(export, CLASSES, queries, number=3)
    path = tmp_path / 'export.json'
    text = json.dumps(export)
    path.write_text(text[:len(text) // 2])
    with pytest.raises(LabelStudioExportError, match='export.json: not valid JSON'):
        read_export(path, CLASSES, queries)
    with pytest.raises(LabelStudioExportError, match='list of tasks'):
        read_export('{"id": 1}', CLASSES, queries)
