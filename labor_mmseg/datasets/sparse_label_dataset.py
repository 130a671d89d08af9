"""Serves a dataset's images with the sparse labels bought so far."""
import copy
import os
from pathlib import Path

import numpy as np
import torch
from mmcv.transforms import BaseTransform, RandomResize, Resize
from mmengine.dataset import BaseDataset, Compose
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import DATASETS

from ..labeling import LabelStore
from .build import build_dataset
from .transforms import LoadSparseAnnotations, SparseLabelResize

STORE_PATH_BYTES = 4096


def image_key(data_info: dict, img_root: str, img_suffix: str) -> str:
    """Image id relative to the image folder, suffix removed (``aachen/aachen_000000_000019``)."""
    rel = Path(data_info['img_path']).relative_to(img_root).as_posix()
    return rel[:-len(img_suffix)] if img_suffix and rel.endswith(img_suffix) else rel


def is_plain_resize(transform: BaseTransform) -> bool:
    """Whether ``transform`` is MMCV's or MMSeg's ``Resize`` (not a subclass of ours)."""
    return isinstance(transform, Resize) and not isinstance(transform, SparseLabelResize)


def sparse_version(transform: BaseTransform) -> BaseTransform:
    """The transform to use on sparse label maps in place of ``transform`` (never mutated)."""
    if isinstance(transform, LoadAnnotations):
        return LoadSparseAnnotations(imdecode_backend=transform.imdecode_backend,
                                     backend_args=transform.backend_args)
    if is_plain_resize(transform):
        return SparseLabelResize.like(transform)
    if isinstance(transform, RandomResize) and is_plain_resize(transform.resize):
        transform = copy.copy(transform)
        transform.resize = SparseLabelResize.like(transform.resize)
    return transform


@DATASETS.register_module()
class SparseLabelDataset:
    """Wraps any MMSeg dataset; each image comes with its labels from a ``LabelStore``.

    Pixels without a bought label are 255. The label map is looked up each time an item is
    loaded, so labels a selection round adds reach training without rebuilding the dataloader
    (also with persistent workers). Batches a worker loaded before the labels changed are
    brought up to date by :meth:`refresh` (each item carries the labels' version it was loaded
    with and the seed of its augmentation, so it is loaded again exactly, new labels only). The
    wrapped dataset's ``LoadAnnotations`` becomes
    ``LoadSparseAnnotations`` and its ``Resize`` ``SparseLabelResize`` (no label is lost
    when the map shrinks); stored maps are already in train ids, so no label conversion is
    applied to them. The ground truth of the wrapped dataset stays reachable through
    :meth:`get_data_info` (``gt_seg_map_path``), for the oracle only.

    Args:
        dataset: Config (or instance) of the wrapped dataset, e.g. ``CityscapesDataset``.
        label_store: The store's root directory. ``None`` until a selection hook attaches its
            store (images are then all unlabeled).
    """

    def __init__(self, dataset: dict | BaseDataset, label_store: str | None = None) -> None:
        self.dataset = build_dataset(dataset, f'{type(self).__name__}.dataset')
        self.metainfo = self.dataset.metainfo
        self.pipeline = Compose([sparse_version(t) for t in self.dataset.pipeline.transforms])
        # The store's path lives in shared memory: dataloader workers start when the train loop
        # is built, before any hook runs, and must see the store a selection hook attaches.
        self._store_root = torch.zeros(STORE_PATH_BYTES, dtype=torch.uint8).share_memory_()
        # Bumped at every change of the path, so a process decodes the path only when it changed.
        self._store_generation = torch.zeros(1, dtype=torch.int64).share_memory_()
        self._decoded_root: tuple[int, str | None] = (0, None)
        self._label_paths: dict[tuple[str, int], str] = {}  # (store root, idx) -> label PNG
        if label_store is not None:
            self._set_store_root(str(label_store))

    def _set_store_root(self, root: str) -> None:
        encoded = os.fsencode(root)
        if len(encoded) >= STORE_PATH_BYTES:
            raise ValueError(f'label store path longer than {STORE_PATH_BYTES - 1} bytes: {root}')
        self._store_root.zero_()
        self._store_root[:len(encoded)] = torch.frombuffer(bytearray(encoded), dtype=torch.uint8)
        self._store_generation += 1

    @property
    def label_store_root(self) -> str | None:
        """Root of the label store served, or None while none is attached."""
        generation = int(self._store_generation)
        if self._decoded_root[0] != generation:
            encoded = bytes(self._store_root.numpy()).rstrip(b'\0')
            self._decoded_root = (generation, os.fsdecode(encoded) if encoded else None)
        return self._decoded_root[1]

    def attach(self, store: LabelStore) -> None:
        """Serve labels from ``store`` from now on, also in running dataloader workers."""
        self._set_store_root(str(store.root))

    def labels_changed(self) -> None:
        """Mark every item loaded so far as stale (the store's labels changed): see
        :meth:`refresh`."""
        self._store_generation += 1

    def refresh(self, batch: dict | list) -> int:
        """Reload, in place, the items of a collated ``batch`` (``inputs`` and
        ``data_samples`` lists, at any depth) that this dataset served before its labels last
        changed; return how many. Each is loaded again with its own augmentation seed, so only
        its labels differ: the labels a round bought reach the very next batch, whatever the
        dataloader prefetched, and the run does not depend on when a worker loaded what."""
        current = int(self._store_generation)
        if isinstance(batch, list | tuple):
            return sum(self.refresh(part) for part in batch)
        if not isinstance(batch, dict):
            return 0
        refreshed = sum(self.refresh(v) for k, v in batch.items() if k != 'data_samples')
        samples = batch.get('data_samples')
        if not isinstance(samples, list) or not isinstance(batch.get('inputs'), list):
            return refreshed
        for i, sample in enumerate(samples):
            meta = sample.metainfo
            if meta.get('labels_version', current) < current:
                item = self.load(meta['dataset_index'], meta['pipeline_seed'])
                batch['inputs'][i], samples[i] = item['inputs'], item['data_samples']
                refreshed += 1
        return refreshed

    def key(self, idx: int) -> str:
        """Image id of item ``idx`` in the label store."""
        return image_key(self.dataset.get_data_info(idx), self.dataset.data_prefix['img_path'],
                         self.dataset.img_suffix)

    def __len__(self) -> int:
        return len(self.dataset)

    def get_data_info(self, idx: int) -> dict:
        """The wrapped item with ``seg_map_path`` pointing at its stored labels (or None)."""
        info = dict(self.dataset.get_data_info(idx))
        info['gt_seg_map_path'] = info['seg_map_path']
        info['seg_map_path'] = None
        root = self.label_store_root
        if root is not None:
            path = self._label_paths.get((root, idx))
            if path is None:  # built once per image, not at every load
                key = image_key(info, self.dataset.data_prefix['img_path'], self.dataset.img_suffix)
                path = self._label_paths[root, idx] = str(LabelStore.label_path(root, key))
            if os.path.isfile(path):
                info['seg_map_path'] = path
        info['reduce_zero_label'] = False
        info['label_map'] = None
        return info

    def __getitem__(self, idx: int) -> dict:
        return self.load(idx, int(np.random.randint(2**31)))  # the worker's seeded generator

    def load(self, idx: int, seed: int) -> dict:
        """Item ``idx`` through the pipeline with numpy's generator (MMCV's and MMSeg's
        transforms draw from it) seeded with ``seed``, the caller's generator left as it was;
        its data sample records ``labels_version``, ``dataset_index`` and ``pipeline_seed``."""
        version = int(self._store_generation)  # before the labels are read: never too new
        state = np.random.get_state()
        np.random.seed(seed)
        try:
            item = self.pipeline(self.get_data_info(idx))
        finally:
            np.random.set_state(state)
        item['data_samples'].set_metainfo(
            dict(labels_version=version, dataset_index=idx, pipeline_seed=seed))
        return item
