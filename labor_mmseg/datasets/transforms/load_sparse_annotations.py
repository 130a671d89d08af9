"""Loads a sparse label map, or an all-unlabeled one when an image has no labels yet."""
import numpy as np
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadSparseAnnotations(LoadAnnotations):
    """``LoadAnnotations`` that accepts ``seg_map_path=None``: the map is then all ``255``.

    ``SparseLabelDataset`` puts it in place of its dataset's ``LoadAnnotations``, so images
    with no labels yet still feed the adversarial and pseudo-label branches. Needs the image
    loaded first (``ori_shape``).
    """

    def _load_seg_map(self, results: dict) -> None:
        if results.get('seg_map_path') is not None:
            super()._load_seg_map(results)
            return
        if 'ori_shape' not in results:
            raise KeyError('LoadSparseAnnotations: load the image (LoadImageFromFile) first')
        results['gt_seg_map'] = np.full(results['ori_shape'][:2], 255, dtype=np.uint8)
        results['seg_fields'].append('gt_seg_map')
