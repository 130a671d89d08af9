"""Rare class sampling (DAFormer, Hoyer et al., CVPR 2022, Sec. 3.4) of a labelled dataset."""
import json
import os
import os.path as osp
from pathlib import Path

import mmcv
import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.dist import barrier
from mmengine.logging import print_log

from ..labeling.label_store import write_atomic


def read_counts_file(path: str, num_classes: int) -> dict[str, dict]:
    """The entries of a counts file (see :func:`class_pixel_counts`); none, with a warning
    naming the file, when it is missing a class count, unreadable or of other classes."""
    if not osp.isfile(path):
        return {}
    try:
        content = json.loads(Path(path).read_bytes())
        maps = content['maps'] if content['num_classes'] == num_classes else {}
        if any(len(entry['counts']) != num_classes or len(entry['file']) != 2
               for entry in maps.values()):
            raise ValueError('an entry without a count per class and its file size and time')
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        print_log(f'rare class sampling: {path} is not a counts file ({type(err).__name__}: '
                  f'{err}); counting every label map again and replacing it', 'current',
                  level='WARNING')
        return {}
    return maps


def class_pixel_counts(dataset: BaseDataset, num_classes: int,
                       counts_file: str | None = None) -> np.ndarray:
    """(len(dataset), num_classes) pixels of each class in each image's label map (its
    ``seg_map_path``, train ids; other values are not counted).

    ``counts_file`` (JSON, as DAFormer's ``sample_class_stats.json``) keeps each map's counts
    with its size and modification time, keyed by its path relative to the file: a map
    unchanged since is not read again (GTA5's 24,966 maps take minutes at every build), and
    the file is rewritten when a map was counted, atomically; where it cannot be written a
    warning says so and the counts are used anyway.
    """
    cached = read_counts_file(counts_file, num_classes) if counts_file else {}
    root = osp.dirname(osp.abspath(counts_file)) if counts_file else ''
    counts = np.zeros((len(dataset), num_classes), np.int64)
    entries = {}
    for i in range(len(dataset)):
        path = dataset.get_data_info(i)['seg_map_path']
        if counts_file:
            key = osp.relpath(osp.abspath(path), root)
            stat = os.stat(path)
            entry = {'file': [stat.st_size, stat.st_mtime_ns]}
            if cached.get(key, {}).get('file') == entry['file']:
                counts[i] = entries.setdefault(key, cached[key])['counts']
                continue
        labels = mmcv.imread(path, flag='unchanged', backend='cv2')
        if labels is None:
            raise FileNotFoundError(f'rare class sampling: cannot read the label map {path}')
        counts[i] = np.bincount(labels.ravel(), minlength=256)[:num_classes]
        if counts_file:
            entries[key] = {**entry, 'counts': counts[i].tolist()}
    kept = {**cached, **entries}  # maps of other datasets sharing the file stay in it
    if counts_file and kept != cached:
        try:
            write_atomic(Path(counts_file), json.dumps(
                {'num_classes': num_classes, 'maps': kept}).encode())
        except OSError as err:
            print_log(f'rare class sampling: cannot write the counts file {counts_file} '
                      f'({err}); the label maps will be counted again at the next build',
                      'current', level='WARNING')
    return counts


class RareClassSampling:
    """Draws images of a labelled dataset so that rare classes are seen more often.

    A class ``c`` is drawn with P(c) = softmax((1 - f_c) / T) over the classes present
    (DAFormer Eq. 7: ``f_c`` the share of the dataset's labelled pixels that are ``c``, ``T``
    the ``temperature``), then an image uniformly among those with at least ``min_pixels``
    pixels of ``c``. The label maps are read when this is built, each only once while it is
    unchanged where ``counts_file`` keeps their counts (in a distributed run, by the first
    rank of each node, which every rank waits for).

    Args:
        dataset: The labelled (source) dataset.
        num_classes: Classes of its labels.
        temperature: T (DAFormer: 0.01; larger is closer to uniform over classes).
        min_pixels: Pixels of a class an image needs to be drawn for it (DAFormer: 3000 at
            GTA5's resolution; scale with the image area).
        counts_file: The JSON keeping each label map's class counts (see
            :func:`class_pixel_counts`), relative to the dataset's ``data_root`` as MMSeg
            resolves its ``ann_file`` (on GTA5: ``data/gta/rare_class_counts.json``); None, or
            a ``data_root`` that is not a local directory: every map is read at every build.
    """

    def __init__(self, dataset: BaseDataset, num_classes: int, temperature: float = 0.01,
                 min_pixels: int = 3000, counts_file: str | None = 'rare_class_counts.json'
                 ) -> None:
        if temperature <= 0:
            raise ValueError(f'rare class sampling: temperature must be > 0, got {temperature}')
        data_root = getattr(dataset, 'data_root', None) or ''
        if counts_file is not None:  # a remote data_root (a URI) keeps none
            counts_file = osp.join(data_root, counts_file) if osp.isdir(data_root or '.') else None
        print_log(f'rare class sampling: counting the classes of {len(dataset)} label maps'
                  + (f' (kept in {counts_file})' if counts_file else ''), 'current')
        # In a distributed run the first rank of each node counts and writes the file while
        # the others wait, then read it: one pass over the maps, not one per rank.
        first = os.environ.get('LOCAL_RANK', '0') == '0'
        if counts_file and not first:
            barrier()
        counts = class_pixel_counts(dataset, num_classes, counts_file)
        if counts_file and first:
            barrier()
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
