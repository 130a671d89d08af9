"""Loads a sparse label map, or an all-unlabeled one when an image has no labels yet."""
import numpy as np
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import TRANSFORMS

from ...labeling import QUERIED_UNANSWERED


@TRANSFORMS.register_module()
class LoadSparseAnnotations(LoadAnnotations):
    """``LoadAnnotations`` for label-store maps; ``seg_map_path=None`` gives an all-255 map.

    ``SparseLabelDataset`` puts it in place of its dataset's ``LoadAnnotations``, so images
    with no labels yet still feed the adversarial and pseudo-label branches. Queried pixels
    answered void or left unanswered (``QUERIED_VOID``, ``QUERIED_UNANSWERED``) are unlabeled
    (255) for training. Needs the image
    loaded first (``ori_shape``).
    """

    def _load_seg_map(self, results: dict) -> None:
        if results.get('seg_map_path') is not None:
            super()._load_seg_map(results)
            seg_map = results['gt_seg_map']
            # 253 | 3 == 254 | 3 == 255: an in-place OR is several times cheaper than a masked
            # write (class ids are below QUERIED_UNANSWERED).
            seg_map |= (seg_map >= QUERIED_UNANSWERED).view(np.uint8) * np.uint8(3)
            return
        if 'ori_shape' not in results:
            raise KeyError('LoadSparseAnnotations: load the image (LoadImageFromFile) first')
        results['gt_seg_map'] = np.full(results['ori_shape'][:2], 255, dtype=np.uint8)
        results['seg_fields'].append('gt_seg_map')
