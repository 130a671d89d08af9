"""Sparse label maps survive the target pipeline: loading, void answers and resizing."""
import numpy as np
from mmcv.transforms import RandomResize
from mmseg.datasets.transforms import Resize

from labor_mmseg.datasets import SparseLabelDataset
from labor_mmseg.datasets.transforms import LoadSparseAnnotations, SparseLabelResize
from labor_mmseg.labeling import LabelStore


def points_map(shape=(100, 200), step=7, seed=0) -> np.ndarray:
    labels = np.full(shape, 255, dtype=np.uint8)
    rng = np.random.default_rng(seed)
    labels[::step, ::step] = rng.integers(0, 19, labels[::step, ::step].shape)
    return labels


def test_sparse_resize_keeps_every_point_where_nearest_drops_most():
    labels = points_map()
    results = dict(img=np.zeros((100, 200, 3), np.uint8), gt_seg_map=labels.copy(),
                   seg_fields=['gt_seg_map'])
    sparse = SparseLabelResize(scale=(125, 62))(dict(results))['gt_seg_map']
    nearest = Resize(scale=(125, 62))(dict(results))['gt_seg_map']
    kept, total = (sparse != 255).sum(), (labels != 255).sum()
    assert sparse.shape == nearest.shape == (62, 125)
    assert kept == total  # the points are 7 px apart: no two share an output cell
    assert (nearest != 255).sum() < 0.6 * total
    ys, xs = np.nonzero(labels != 255)
    np.testing.assert_array_equal(sparse[ys * 62 // 100, xs * 125 // 200], labels[ys, xs])


def test_enlarging_stays_nearest():
    labels = points_map((50, 50), step=5)
    results = dict(img=np.zeros((50, 50, 3), np.uint8), gt_seg_map=labels.copy(),
                   seg_fields=['gt_seg_map'])
    np.testing.assert_array_equal(SparseLabelResize(scale=(100, 100))(dict(results))['gt_seg_map'],
                                  Resize(scale=(100, 100))(dict(results))['gt_seg_map'])


def test_sparse_dataset_swaps_the_label_transforms(tiny_benchmark):
    pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                dict(type='Resize', scale=(80, 40)),
                dict(type='RandomResize', scale=(80, 40), ratio_range=(0.5, 1.0)),
                dict(type='PackSegInputs')]
    inner = dict(type='CityscapesDataset', data_root=str(tiny_benchmark / 'cityscapes'),
                 data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
                 pipeline=pipeline)
    dataset = SparseLabelDataset(inner)
    kinds = [type(t) for t in dataset.pipeline.transforms]
    assert kinds[1] is LoadSparseAnnotations and kinds[2] is SparseLabelResize
    assert type(dataset.pipeline.transforms[3].resize) is SparseLabelResize
    assert type(dataset.dataset.pipeline.transforms[3].resize) is Resize  # not mutated
    assert isinstance(dataset.dataset.pipeline.transforms[3], RandomResize)
    # No store attached yet: every pixel unlabeled, image still served.
    item = dataset[0]
    assert (item['data_samples'].gt_sem_seg.data == 255).all()


def test_sparse_dataset_follows_a_newly_attached_store(tiny_benchmark, tmp_path):
    inner = dict(type='CityscapesDataset', data_root=str(tiny_benchmark / 'cityscapes'),
                 data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
                 pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                           dict(type='PackSegInputs')])
    dataset = SparseLabelDataset(inner)
    assert dataset.label_store_root is None
    shape = dataset[0]['data_samples'].gt_sem_seg.data.shape[1:]
    for value, name in ((3, 'first'), (7, 'second')):
        store = LabelStore(tmp_path / name, signature={'name': name})
        store.add(dataset.key(0), np.full(shape, value, dtype=np.uint8))
        dataset.attach(store)
        assert dataset.label_store_root == str(store.root)
        assert (dataset[0]['data_samples'].gt_sem_seg.data == value).all()
