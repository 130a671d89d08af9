"""Building the wrapped datasets, with a clear error when one finds no images."""
from mmengine.dataset import BaseDataset
from mmseg.registry import DATASETS


def build_dataset(cfg: dict | BaseDataset, field: str) -> BaseDataset:
    """Build ``cfg`` (an instance is returned as is); ``ValueError`` naming ``field`` if empty.

    MMEngine datasets that find no image fail inside ``full_init`` with "need at least one array
    to concatenate"; a ``BaseDataset`` config is therefore built lazily and its data list loaded
    first, so the error says which config field and folders to check.
    """
    dataset, empty = cfg, False
    if isinstance(cfg, dict):
        cls = cfg['type'] if isinstance(cfg['type'], type) else DATASETS.get(cfg['type'])
        lazy = isinstance(cls, type) and issubclass(cls, BaseDataset)
        dataset = DATASETS.build({**cfg, 'lazy_init': True} if lazy else cfg)
        if lazy:
            empty = not dataset.load_data_list()
            if not empty:
                dataset.full_init()
    if empty or len(dataset) == 0:
        where = (f' (data_root={dataset.data_root!r}, data_prefix={dataset.data_prefix!r})'
                 if isinstance(dataset, BaseDataset) else '')
        raise ValueError(f'{field}: {type(dataset).__name__} has no images{where}; check its '
                         'data_root and data_prefix')
    return dataset
