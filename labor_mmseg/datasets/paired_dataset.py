"""A dataset of source/target pairs for one train dataloader."""
import numpy as np
from mmengine.dataset import BaseDataset
from mmseg.registry import DATASETS


@DATASETS.register_module()
class PairedDataset:
    """Pairs a labeled source dataset with a target dataset, each with its own pipeline.

    Item ``i`` is ``{'source': source[i], 'target': target[j]}`` with ``j`` drawn uniformly
    at random (numpy's generator, which MMEngine seeds per worker), as in DAFormer's UDA
    dataset; the length is the source's, so the sampler runs over source images.

    Args:
        source: Config (or instance) of the source dataset.
        target: Config (or instance) of the target dataset (e.g. a ``SparseLabelDataset``).
    """

    def __init__(self, source: dict | BaseDataset, target: dict | BaseDataset) -> None:
        self.source = DATASETS.build(source) if isinstance(source, dict) else source
        self.target = DATASETS.build(target) if isinstance(target, dict) else target
        for name, dataset in (('source', self.source), ('target', self.target)):
            if len(dataset) == 0:
                raise ValueError(
                    f'train_dataloader.dataset.{name}: {type(dataset).__name__} has no images; '
                    'check its data_root and data_prefix')
        self.metainfo = self.source.metainfo

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, idx: int) -> dict:
        return {'source': self.source[idx],
                'target': self.target[np.random.randint(len(self.target))]}
