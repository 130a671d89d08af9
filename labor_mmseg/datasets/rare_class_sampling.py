"""Rare class sampling (DAFormer, Hoyer et al., CVPR 2022, Sec. 3.4) of a labelled dataset."""
import mmcv
import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log


def class_pixel_counts(dataset: BaseDataset, num_classes: int) -> np.ndarray:
    """(len(dataset), num_classes) pixels of each class in each image's label map (its
    ``seg_map_path``, train ids; other values are not counted)."""
    counts = np.zeros((len(dataset), num_classes), np.int64)
    for i in range(len(dataset)):
        path = dataset.get_data_info(i)['seg_map_path']
        labels = mmcv.imread(path, flag='unchanged', backend='cv2')
        if labels is None:
            raise FileNotFoundError(f'rare class sampling: cannot read the label map {path}')
        counts[i] = np.bincount(labels.ravel(), minlength=256)[:num_classes]
    return counts


class RareClassSampling:
    """Draws images of a labelled dataset so that rare classes are seen more often.

    A class ``c`` is drawn with P(c) = softmax((1 - f_c) / T) over the classes present
    (DAFormer Eq. 7: ``f_c`` the share of the dataset's labelled pixels that are ``c``, ``T``
    the ``temperature``), then an image uniformly among those with at least ``min_pixels``
    pixels of ``c``. The label maps are read once, when this is built.

    Args:
        dataset: The labelled (source) dataset.
        num_classes: Classes of its labels.
        temperature: T (DAFormer: 0.01; larger is closer to uniform over classes).
        min_pixels: Pixels of a class an image needs to be drawn for it (DAFormer: 3000 at
            GTA5's resolution; scale with the image area).
    """

    def __init__(self, dataset: BaseDataset, num_classes: int, temperature: float = 0.01,
                 min_pixels: int = 3000) -> None:
        if temperature <= 0:
            raise ValueError(f'rare class sampling: temperature must be > 0, got {temperature}')
        print_log(f'rare class sampling: counting the classes of {len(dataset)} label maps',
                  'current')
        counts = class_pixel_counts(dataset, num_classes)
        share = counts.sum(0) / max(counts.sum(), 1)
        self.images = [np.flatnonzero(counts[:, c] >= min_pixels) for c in range(num_classes)]
        self.classes = np.array([c for c in range(num_classes) if len(self.images[c])])
        if not len(self.classes):
            raise ValueError(f'rare class sampling: no image has min_pixels={min_pixels} '
                             'pixels of any class; lower it')
        logits = (1 - share[self.classes]) / temperature
        prob = np.exp(logits - logits.max())
        self.class_prob = prob / prob.sum()

    def sample(self) -> int:
        """An image index (numpy's generator: seeded per dataloader worker)."""
        c = np.random.choice(len(self.classes), p=self.class_prob)
        return int(np.random.choice(self.images[self.classes[c]]))
