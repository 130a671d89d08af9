"""A round's queries and a person's answers as files (PNG masks and answer maps)."""

import json
import os
from pathlib import Path

import cv2
import numpy as np

from .label_store import read_label_png, write_atomic, write_png

QUERY_VALUE = 255  # in an exported query mask: a label is asked at this pixel (0 elsewhere)


def export_queries(queries: dict[str, np.ndarray], out_dir: str | os.PathLike,
                   image_paths: dict[str, str] | None = None) -> Path:
    """Write label queries for a human annotator; return the path of ``queries.json``.

    One PNG per image at ``<out_dir>/masks/<key>.png`` (255 where a label is asked, 0 elsewhere)
    and ``queries.json`` listing for each key its mask file, image path (if given), shape and
    number of queried pixels.
    Answers go to ``<answer_dir>/<key>.png``: class ids at the queried pixels, 255 elsewhere.
    """
    out_dir = Path(out_dir)
    entries = []
    for key, mask in queries.items():
        mask = np.asarray(mask, dtype=bool)
        mask_file = Path('masks') / f'{key}.png'
        write_png(out_dir / mask_file, mask.astype(np.uint8) * QUERY_VALUE)
        entry = {'key': key, 'mask': mask_file.as_posix(), 'shape': list(mask.shape),
                 'num_pixels': int(mask.sum())}
        if image_paths is not None and key in image_paths:
            entry['image'] = str(image_paths[key])
        entries.append(entry)
    path = out_dir / 'queries.json'
    write_atomic(path, json.dumps({'version': 1, 'queries': entries}, indent=1).encode())
    return path


def read_queries(query_dir: str | os.PathLike) -> dict[str, np.ndarray]:
    """The query masks written by :func:`export_queries` (``True`` where a label is asked)."""
    query_dir = Path(query_dir)
    entries = json.loads((query_dir / 'queries.json').read_text())['queries']
    queries = {}
    for entry in entries:
        path = query_dir / entry['mask']
        mask = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        if mask is None or mask.shape != tuple(entry['shape']):
            raise ValueError(f'{path}: missing, unreadable or not of shape {entry["shape"]}')
        queries[entry['key']] = mask == QUERY_VALUE
    return queries


def import_answers(answer_dir: str | os.PathLike, queries: dict[str, np.ndarray],
                   num_classes: int = 19, ignore_index: int = 255) -> dict[str, np.ndarray]:
    """Read a human's answers to ``queries`` (see :func:`export_queries`) as label maps.

    ``<answer_dir>/<key>.png`` holds class ids at answered pixels and ``ignore_index`` elsewhere;
    a queried pixel may be left unanswered. Raises ``ValueError`` naming the file when it has the
    wrong size, values out of range, or answers outside its query (``FileNotFoundError`` if
    missing). Returns uint8 maps ready for :meth:`LabelStore.add`.
    """
    answers = {}
    for key, mask in queries.items():
        path = Path(answer_dir) / f'{key}.png'
        labels = read_label_png(path, num_classes, ignore_index)
        if labels.shape != mask.shape:
            raise ValueError(f'{path}: answer is {labels.shape}, the query {mask.shape}')
        outside = (labels != ignore_index) & ~np.asarray(mask, dtype=bool)
        if outside.any():
            raise ValueError(f'{path}: {int(outside.sum())} answered pixels were not queried, '
                             f'e.g. [y, x] = {np.argwhere(outside)[0].tolist()}')
        answers[key] = labels
    return answers
