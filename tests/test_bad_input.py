"""Bad input: each case raises an error naming the file or config field, and leaves the labels
already bought intact (the label store's files are byte-identical afterwards)."""
import contextlib
import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from mmengine.runner import Runner
from mmseg.registry import DATASETS

from labor_mmseg.engine import ActiveSelectionHook
from labor_mmseg.labeling import LabelStore

from .conftest import tiny_config

CITY = 'aachen/aachen_000000_000019'
IMAGE = f'cityscapes/leftImg8bit/train/{CITY}_leftImg8bit.png'
GROUND_TRUTH = f'cityscapes/gtFine/train/{CITY}_gtFine_labelTrainIds.png'


class Selection:
    """A runner on a private copy of the tiny benchmark whose store holds round 1 of 2."""

    def __init__(self, data: Path, work_dir: Path) -> None:
        self.data = data
        cfg = tiny_config('spl_synth', data, work_dir, max_iters=10)
        cfg.custom_hooks = []
        self.runner = Runner.from_cfg(cfg)
        self.runner.train_loop  # builds the train dataloader  # noqa: B018
        self.hook = self.new_hook()
        self.hook.run_round(self.runner, 0, 3)
        self.store = self.hook.store
        assert self.store.completed_rounds == [0]
        # Hooks opened from here on see a run resumed after round 1 (a run starting at iteration
        # 0 refuses a store that holds labels).
        self.runner.train_loop._iter = 3

    def new_hook(self, **kwargs) -> ActiveSelectionHook:
        """A random-selection hook with rounds at iterations 3 and 6, opened on the runner."""
        hook = ActiveSelectionHook(**{'strategy': 'random', 'budget': 0.02, 'rounds': [3, 6],
                                      **kwargs})
        hook.before_train(self.runner)
        return hook


@pytest.fixture(scope='module')
def selection(tiny_benchmark, tmp_path_factory) -> Selection:
    """One runner for the module: the data copy is broken and restored by each test."""
    data = tmp_path_factory.mktemp('bad_input') / 'data'
    shutil.copytree(tiny_benchmark, data)
    return Selection(data, data.parent / 'work')


def digest(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` by relative path."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob('*')) if p.is_file()}


@contextlib.contextmanager
def store_unchanged(store: LabelStore) -> Iterator[None]:
    """Check that the store's files and its committed rounds are the same afterwards."""
    before = digest(store.root)
    yield
    assert digest(store.root) == before
    reopened = LabelStore(store.root, store.manifest['dataset'])
    assert reopened.completed_rounds == store.completed_rounds and not reopened.uncommitted


@contextlib.contextmanager
def replaced(path: Path, data: bytes | None) -> Iterator[Path]:
    """``path`` holding ``data`` (deleted if None) inside the block, restored afterwards."""
    original = path.read_bytes()
    try:
        if data is None:
            path.unlink()
        else:
            path.write_bytes(data)
        yield path
    finally:
        path.write_bytes(original)


def png(image: np.ndarray) -> bytes:
    """``image`` encoded as PNG."""
    return cv2.imencode('.png', image)[1].tobytes()


def ground_truth(root: Path) -> np.ndarray:
    """The ground truth of ``CITY`` in the data copy at ``root``."""
    return cv2.imread(str(root / GROUND_TRUTH), cv2.IMREAD_UNCHANGED)


def with_class_25(root: Path) -> bytes:
    """The ground truth of ``CITY`` with one pixel of class 25, as PNG."""
    gt = ground_truth(root)
    gt[5, 7] = 25
    return png(gt)


def top_half(root: Path) -> bytes:
    """The top half of the ground truth of ``CITY`` (32 of 64 rows), as PNG."""
    return png(ground_truth(root)[:32])


# case: (file, its new content from the data root (None: deleted), error, message besides the path)
ROUND_CASES = {
    'missing image': (IMAGE, lambda root: None, FileNotFoundError, ''),
    'unreadable image': (IMAGE, lambda root: b'\x89PNG\r\n\x1a\n garbage', AssertionError,
                         'failed to load image'),
    'truncated image': (IMAGE, lambda root: (root / IMAGE).read_bytes()[:200], AssertionError,
                        'failed to load image'),
    'missing label file': (GROUND_TRUTH, lambda root: None, FileNotFoundError, ''),
    'label values outside 0-18 and 255': (GROUND_TRUTH, with_class_25, ValueError,
                                          r'outside 0\.\.18'),
    'image and label sizes differ': (GROUND_TRUTH, top_half, ValueError, r'\(32, 128\)'),
}


@pytest.mark.parametrize('case', ROUND_CASES)
def test_bad_target_file_stops_the_round_naming_it(case, selection):
    name, make, error, message = ROUND_CASES[case]
    path = selection.data / name
    with store_unchanged(selection.store), replaced(path, make(selection.data)):
        with pytest.raises(error, match=re.escape(str(path))) as info:
            selection.hook.run_round(selection.runner, 1, 6)
    assert re.search(message, str(info.value))
    assert selection.store.completed_rounds == [0]


@pytest.mark.parametrize('kwargs,error,field', [
    (dict(budget=0), ValueError, 'budget'),
    (dict(budget=-0.5), ValueError, 'budget'),
    (dict(budget=1.5), ValueError, 'budget'),  # above 100% of the pixels
    (dict(strategy='magic'), KeyError, 'strategy'),
])
def test_bad_hook_config_names_the_field(kwargs, error, field):
    with pytest.raises(error, match=rf'ActiveSelectionHook\.{field}: .*{kwargs[field]}'):
        ActiveSelectionHook(**kwargs)


def test_rounds_after_max_iters(selection):
    with store_unchanged(selection.store), pytest.raises(
            ValueError, match=r'ActiveSelectionHook\.rounds \[3, 60\].*max_iters=10'):
        selection.new_hook(rounds=[3, 60])


def test_empty_or_missing_image_folders(selection, tmp_path):
    cfg = tiny_config('spl_synth', selection.data, tmp_path).train_dataloader.dataset
    empty = tmp_path / 'empty'
    cfg.target.dataset.data_root = str(empty)
    with pytest.raises(FileNotFoundError, match=re.escape(str(empty))):
        DATASETS.build(cfg)
    (empty / 'leftImg8bit' / 'train').mkdir(parents=True)
    with pytest.raises(ValueError, match=r'SparseLabelDataset\.dataset: CityscapesDataset has no '
                                         r'images \(data_root=' + re.escape(repr(str(empty)))):
        DATASETS.build(cfg)
    cfg.target.dataset.data_root = str(selection.data / 'cityscapes')
    cfg.source.data_root = str(empty)
    (empty / 'images').mkdir()
    with pytest.raises(ValueError, match=r'train_dataloader\.dataset\.source: GTADataset has no'):
        DATASETS.build(cfg)


def test_source_label_values_outside_the_classes(selection, tmp_path):
    cfg = tiny_config('spl_synth', selection.data, tmp_path).train_dataloader.dataset
    dataset = DATASETS.build(cfg)
    path = Path(dataset.source.get_data_info(3)['seg_map_path'])
    labels = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    labels[0, :4] = 200
    with replaced(path, png(labels)), pytest.raises(
            ValueError, match=re.escape(str(path)) + r': label values \[200\] are neither'):
        dataset[3]
    dataset[3]  # restored


def test_store_of_another_dataset(selection):
    signature = {**selection.store.manifest['dataset'], 'num_images': 7}
    other = LabelStore(selection.store.root.parent / 'other_store', signature)
    other.add(CITY, np.full((64, 128), 255, np.uint8), np.eye(64, 128, dtype=bool))
    other.commit_round(0, 3, {})
    with store_unchanged(other), pytest.raises(
            ValueError, match=r'other_store/manifest\.json belongs to another dataset.*'
                              r'dataset\.num_images: stored 7, given 6'):
        selection.new_hook(label_dir='other_store')


def test_half_written_store_files(selection):
    store = selection.store
    path = store.path(CITY)
    # A killed atomic write leaves a temporary file: it is ignored, the store keeps working.
    temp = path.parent / f'.{path.name}.x1y2z3.tmp'
    temp.write_bytes(path.read_bytes()[:40])
    try:
        hook = selection.new_hook()
        assert hook.store.completed_rounds == [0] and not hook.store.uncommitted
        np.testing.assert_array_equal(hook.store.read(CITY), store.read(CITY))
    finally:
        temp.unlink()
    # A truncated label file at its final path is reported by name when the store is opened.
    with store_unchanged(store):
        with replaced(path, path.read_bytes()[:60]), pytest.raises(
                ValueError, match=re.escape(str(path)) + ': unreadable or corrupt'):
            selection.new_hook()


def test_label_file_deleted_or_replaced_by_an_older_one(selection):
    store = selection.store
    path = store.path(CITY)
    older = np.full((64, 128), 255, np.uint8)
    older[0, 0] = 1
    with store_unchanged(store):
        for data in (None, png(older)):
            with replaced(path, data), pytest.raises(
                    ValueError, match=r'labels are lost: ' + re.escape(str(path))):
                selection.new_hook()


def test_truncated_or_missing_manifest(selection):
    store = selection.store
    manifest = store.manifest_path
    with store_unchanged(store):
        with replaced(manifest, manifest.read_bytes()[:100]), pytest.raises(
                ValueError, match=re.escape(str(manifest)) + ': corrupt manifest'):
            selection.new_hook()
        with replaced(manifest, None), pytest.raises(
                ValueError, match=re.escape(str(manifest)) + ' is missing but .*labels'):
            selection.new_hook()

