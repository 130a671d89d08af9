"""A dataset of source/target pairs for one train dataloader."""
import numpy as np
from mmengine.dataset import BaseDataset
from mmseg.registry import DATASETS

from .build import build_dataset
from .rare_class_sampling import RareClassSampling

IGNORE_INDEX = 255  # unlabeled pixels in every label map the LabOR losses read


@DATASETS.register_module()
class PairedDataset:
    """Pairs a labeled source dataset with a target dataset, each with its own pipeline.

    Item ``i`` is ``{'source': source[i], 'target': target[j]}`` with ``j`` drawn uniformly
    at random (numpy's generator, which MMEngine seeds per worker), as in DAFormer's UDA
    dataset; the length is the source's, so the sampler runs over source images. With
    ``rare_class_sampling`` the source image is drawn by :class:`RareClassSampling` instead
    of ``i``. A label map
    whose values are neither class ids nor ``IGNORE_INDEX`` raises ``ValueError`` naming its file
    (the loss would fail later without saying which file).

    Args:
        source: Config (or instance) of the source dataset.
        target: Config (or instance) of the target dataset (e.g. a ``SparseLabelDataset``).
        rare_class_sampling: Arguments of :class:`RareClassSampling` over the source
            (``temperature``, ``min_pixels``), or None: source images in the sampler's order.
    """

    def __init__(self, source: dict | BaseDataset, target: dict | BaseDataset,
                 rare_class_sampling: dict | None = None) -> None:
        self.source = build_dataset(source, 'train_dataloader.dataset.source')
        self.target = build_dataset(target, 'train_dataloader.dataset.target')
        self.metainfo = self.source.metainfo
        self.rare_class_sampling = rare_class_sampling and RareClassSampling(
            self.source, len(self.metainfo['classes']), **rare_class_sampling)

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, idx: int) -> dict:
        if self.rare_class_sampling:
            idx = self.rare_class_sampling.sample()
        item = {'source': self.source[idx],
                'target': self.target[np.random.randint(len(self.target))]}
        num_classes = len(self.metainfo['classes'])
        for sample in item.values():
            data_sample = sample['data_samples']
            labels = data_sample.gt_sem_seg.data
            bad = labels[(labels >= num_classes) & (labels != IGNORE_INDEX)]
            if bad.numel():
                raise ValueError(
                    f'{data_sample.seg_map_path}: label values {bad.unique()[:5].tolist()} are '
                    f'neither class ids 0..{num_classes - 1} nor {IGNORE_INDEX} (unlabeled); '
                    'are the labels converted to train ids?')
        return item
