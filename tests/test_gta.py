"""Tests for ``GTADataset`` and the GTA5 label converter (``tools/convert_datasets/gta.py``)."""

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np
import pytest
from cityscapesscripts.helpers.labels import labels as cityscapes_labels
from mmengine.registry import DefaultScope
from mmseg.datasets import CityscapesDataset
from mmseg.registry import DATASETS
from PIL import Image

import labor_mmseg.datasets.gta  # noqa: F401  (registers GTADataset)
from labor_mmseg.datasets.gta import GTADataset

CONVERTER = Path(__file__).resolve().parents[1] / 'tools' / 'convert_datasets' / 'gta.py'
H, W = 6, 8
PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
# Cityscapes label id -> train id, written out by hand.
KNOWN_PAIRS = {
    0: 255,  # unlabeled
    1: 255,  # ego vehicle
    4: 255,  # static
    6: 255,  # ground
    7: 0,  # road
    8: 1,  # sidewalk
    9: 255,  # parking
    11: 2,  # building
    17: 5,  # pole
    19: 6,  # traffic light
    20: 7,  # traffic sign
    21: 8,  # vegetation
    23: 10,  # sky
    24: 11,  # person
    26: 13,  # car
    29: 255,  # caravan
    31: 16,  # train
    33: 18,  # bicycle
}


@pytest.fixture(scope='module')
def converter() -> Iterator[ModuleType]:
    """The converter script, imported as a module (registered so worker processes find it)."""
    spec = importlib.util.spec_from_file_location('gta_converter', CONVERTER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def official_train_id(label_id: int) -> int:
    """Train id of a Cityscapes label id per ``cityscapesscripts`` (ignore as 255)."""
    (label,) = [label for label in cityscapes_labels if label.id == label_id]
    return label.trainId if 0 <= label.trainId < 255 else 255


def all_ids_map() -> np.ndarray:
    """An ``H x W`` id map holding every Cityscapes id 0..33 plus a few unknown values."""
    values = np.array(list(range(34)) + [34, 100, 254, 255] + [7] * (H * W - 38), np.uint8)
    return values.reshape(H, W)


def expected_train_ids(ids: np.ndarray) -> np.ndarray:
    """Train ids of an id map from the official table; ids outside 0..33 become 255."""
    return np.vectorize(lambda i: official_train_id(i) if i <= 33 else 255)(ids).astype(np.uint8)


def save_palette_png(path: Path, ids: np.ndarray) -> None:
    """Save ids as the palette indices of a "P" PNG whose palette is the Cityscapes colours."""
    palette = np.zeros((256, 3), np.uint8)
    for label in cityscapes_labels:
        if label.id >= 0:
            palette[label.id] = label.color
    img = Image.fromarray(ids)
    img.putpalette(palette.flatten().tolist())
    img.save(path)


def make_gta_layout(root: Path, n: int = 3) -> list[np.ndarray]:
    """Write ``n`` images and train-id labels in the GTA layout; return the labels."""
    (root / 'images').mkdir(parents=True)
    (root / 'labels').mkdir()
    rng = np.random.default_rng(0)
    labels = []
    for i in range(1, n + 1):
        img = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
        label = rng.choice(np.array(list(range(19)) + [255], np.uint8), size=(H, W))
        assert cv2.imwrite(str(root / 'images' / f'{i:05d}.png'), img)
        assert cv2.imwrite(str(root / 'labels' / f'{i:05d}_labelTrainIds.png'), label)
        labels.append(label)
    return labels


def build_dataset(root: Path) -> GTADataset:
    with DefaultScope.overwrite_default_scope('mmseg'):
        return DATASETS.build(dict(type='GTADataset', data_root=str(root), pipeline=PIPELINE))


def test_metainfo_is_cityscapes() -> None:
    assert DATASETS.get('GTADataset') is GTADataset
    assert GTADataset.METAINFO == CityscapesDataset.METAINFO
    assert len(GTADataset.METAINFO['classes']) == 19


def test_dataset_loads_gta_layout(tmp_path: Path) -> None:
    labels = make_gta_layout(tmp_path)
    dataset = build_dataset(tmp_path)
    assert len(dataset) == 3
    assert dataset.metainfo['classes'] == CityscapesDataset.METAINFO['classes']
    info = dataset.get_data_info(1)
    assert info['img_path'] == str(tmp_path / 'images' / '00002.png')
    assert info['seg_map_path'] == str(tmp_path / 'labels' / '00002_labelTrainIds.png')
    assert info['reduce_zero_label'] is False

    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (3, H, W)
    seg = sample['data_samples'].gt_sem_seg.data
    assert tuple(seg.shape) == (1, H, W)
    np.testing.assert_array_equal(seg[0].numpy(), labels[0])
    assert sample['data_samples'].img_path == str(tmp_path / 'images' / '00001.png')


def test_lookup_table_matches_official_table(converter: ModuleType) -> None:
    lut = converter.build_id_lut()
    assert lut.shape == (256,) and lut.dtype == np.uint8
    for label_id in range(34):
        assert lut[label_id] == official_train_id(label_id), label_id
    assert (lut[34:] == 255).all()
    for label_id, train_id in KNOWN_PAIRS.items():
        assert lut[label_id] == train_id, label_id
    assert sorted(set(lut.tolist()) - {255}) == list(range(19))


@pytest.mark.parametrize('mode', ['P', 'L'])
def test_convert_label_file(converter: ModuleType, tmp_path: Path, mode: str) -> None:
    ids = all_ids_map()
    src = tmp_path / '00001.png'
    if mode == 'P':
        save_palette_png(src, ids)
    else:
        Image.fromarray(ids).save(src)
    with Image.open(src) as img:
        assert img.mode == mode

    (tmp_path / 'out').mkdir()
    out = converter.convert_label(str(src), str(tmp_path / 'out'))
    assert out == str(tmp_path / 'out' / '00001_labelTrainIds.png')
    train_ids = cv2.imread(out, cv2.IMREAD_UNCHANGED)
    assert train_ids.shape == (H, W) and train_ids.dtype == np.uint8
    np.testing.assert_array_equal(train_ids, expected_train_ids(ids))
    for label_id, train_id in KNOWN_PAIRS.items():
        assert (train_ids[ids == label_id] == train_id).all(), label_id


def test_convert_color_map(converter: ModuleType, tmp_path: Path) -> None:
    ids = all_ids_map()
    colors = np.zeros((256, 3), np.uint8)
    colors[[34, 100, 254, 255]] = (1, 2, 3)  # not a Cityscapes colour
    for label in cityscapes_labels:
        if label.id >= 0:
            colors[label.id] = label.color
    src = tmp_path / '00001.png'
    Image.fromarray(colors[ids]).save(src)
    expected = expected_train_ids(ids)
    # 'polegroup' (id 18, ignored) has the colour of 'pole' (id 17, train id 5).
    expected[ids == 18] = 5
    np.testing.assert_array_equal(converter.read_train_ids(str(src)), expected)


def test_cli_converts_all_labels(converter: ModuleType, tmp_path: Path) -> None:
    ids = [all_ids_map(), np.full((H, W), 26, np.uint8), np.full((H, W), 6, np.uint8)]
    (tmp_path / 'labels').mkdir()
    for i, id_map in enumerate(ids, start=1):
        save_palette_png(tmp_path / 'labels' / f'{i:05d}.png', id_map)

    converter.main([str(tmp_path), '--nproc', '2', '-o', str(tmp_path / 'out')])
    converter.main([str(tmp_path), '--nproc', '1'])
    for out_dir in (tmp_path / 'out', tmp_path / 'labels'):
        for i, id_map in enumerate(ids, start=1):
            train_ids = cv2.imread(
                str(out_dir / f'{i:05d}_labelTrainIds.png'), cv2.IMREAD_UNCHANGED
            )
            np.testing.assert_array_equal(train_ids, expected_train_ids(id_map))
    # Re-running skips the outputs written next to the sources.
    assert converter.find_label_files(str(tmp_path / 'labels')) == [
        str(tmp_path / 'labels' / f'{i:05d}.png') for i in (1, 2, 3)
    ]


def test_converted_labels_load_in_dataset(converter: ModuleType, tmp_path: Path) -> None:
    make_gta_layout(tmp_path, n=1)
    (tmp_path / 'labels' / '00001_labelTrainIds.png').unlink()
    save_palette_png(tmp_path / 'labels' / '00001.png', all_ids_map())
    converter.main([str(tmp_path), '--nproc', '1'])
    seg = build_dataset(tmp_path)[0]['data_samples'].gt_sem_seg.data[0].numpy()
    np.testing.assert_array_equal(seg, expected_train_ids(all_ids_map()))


def test_errors_name_the_path(converter: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / 'labels'))):
        converter.main([str(tmp_path), '--nproc', '1'])
    (tmp_path / 'labels').mkdir()
    with pytest.raises(FileNotFoundError, match='no GTA5 label PNGs'):
        converter.main([str(tmp_path), '--nproc', '1'])
    broken = tmp_path / 'labels' / '00001.png'
    broken.write_bytes(b'not a png')
    with pytest.raises(OSError, match=re.escape(str(broken))):
        converter.convert_label(str(broken), str(tmp_path))
    Image.fromarray(np.zeros((H, W), np.uint16)).save(broken)
    with pytest.raises(ValueError, match='unsupported image mode'):
        converter.read_train_ids(str(broken))
