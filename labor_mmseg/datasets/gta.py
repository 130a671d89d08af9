"""GTA5 (synthetic source domain) labelled with the 19 Cityscapes train classes."""

from typing import Any

from mmseg.datasets import BaseSegDataset, CityscapesDataset
from mmseg.registry import DATASETS


@DATASETS.register_module()
class GTADataset(BaseSegDataset):
    """GTA5 dataset with labels converted to Cityscapes train ids.

    Expected layout (see ``tools/convert_datasets/gta.py`` for the label conversion)::

        data_root/images/00001.png
        data_root/labels/00001_labelTrainIds.png

    Classes and palette are those of :class:`mmseg.datasets.CityscapesDataset`; pixels
    labelled 255 are ignored.
    """

    METAINFO = CityscapesDataset.METAINFO

    def __init__(
        self,
        img_suffix: str = '.png',
        seg_map_suffix: str = '_labelTrainIds.png',
        data_prefix: dict | None = None,
        reduce_zero_label: bool = False,
        **kwargs: Any,
    ) -> None:
        if data_prefix is None:
            data_prefix = dict(img_path='images', seg_map_path='labels')
        super().__init__(
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            data_prefix=data_prefix,
            reduce_zero_label=reduce_zero_label,
            **kwargs,
        )
