"""Serves a dataset's images with the sparse labels bought so far."""
import copy
from pathlib import Path

from mmcv.transforms import BaseTransform, RandomResize, Resize
from mmengine.dataset import BaseDataset, Compose
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import DATASETS

from ..labeling import LabelStore
from .transforms import LoadSparseAnnotations, SparseLabelResize


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
    (also with persistent workers). The wrapped dataset's ``LoadAnnotations`` becomes
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
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) else dataset
        self.metainfo = self.dataset.metainfo
        self.pipeline = Compose([sparse_version(t) for t in self.dataset.pipeline.transforms])
        self.label_store_root = label_store

    def attach(self, store: LabelStore) -> None:
        """Serve labels from ``store`` from now on."""
        self.label_store_root = str(store.root)

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
        if self.label_store_root is not None:
            path = LabelStore.label_path(self.label_store_root, self.key(idx))
            if path.is_file():
                info['seg_map_path'] = str(path)
        info['reduce_zero_label'] = False
        info['label_map'] = None
        return info

    def __getitem__(self, idx: int) -> dict:
        return self.pipeline(self.get_data_info(idx))
