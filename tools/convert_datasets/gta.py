"""Convert GTA5 label PNGs (Cityscapes label ids) to Cityscapes train-id PNGs.

GTA5 ships ``<gta_root>/labels/00001.png`` as 8-bit palette images whose palette *indices* are
Cityscapes label ids (0..33). This script writes ``00001_labelTrainIds.png`` (train ids 0..18,
255 = ignore) next to them, or into ``--out-dir``, using the official Cityscapes label table::

    python tools/convert_datasets/gta.py /path/to/gta [--nproc 8] [-o OUT_DIR]
"""

import argparse
import os.path as osp
from functools import partial
from typing import Any

import numpy as np
from cityscapesscripts.helpers.labels import labels as CITYSCAPES_LABELS
from mmengine.utils import mkdir_or_exist, scandir, track_parallel_progress, track_progress
from PIL import Image

IGNORE_INDEX = 255
OUT_SUFFIX = '_labelTrainIds.png'


def _train_id(train_id: int) -> int:
    """Map the table's ignore markers (255, and -1 for 'license plate') to ``IGNORE_INDEX``."""
    return train_id if 0 <= train_id < IGNORE_INDEX else IGNORE_INDEX


def build_id_lut() -> np.ndarray:
    """256-entry table: Cityscapes label id -> train id; ids not in the table map to 255."""
    lut = np.full(256, IGNORE_INDEX, dtype=np.uint8)
    for label in CITYSCAPES_LABELS:
        if 0 <= label.id < 256:
            lut[label.id] = _train_id(label.trainId)
    return lut


def _pack(r: Any, g: Any, b: Any) -> Any:
    """Pack colour channels (ints or integer arrays) into ``0xRRGGBB``."""
    return (r << 16) | (g << 8) | b


def build_color_table() -> tuple[np.ndarray, np.ndarray]:
    """Sorted packed colours of the 19 train classes, and their train ids."""
    pairs = sorted(
        (_pack(*label.color), label.trainId)
        for label in CITYSCAPES_LABELS
        if 0 <= label.id < 256 and 0 <= label.trainId < IGNORE_INDEX
    )
    return np.array([c for c, _ in pairs]), np.array([t for _, t in pairs], dtype=np.uint8)


ID_LUT = build_id_lut()
COLOR_KEYS, COLOR_TRAIN_IDS = build_color_table()


def _colors_to_train_ids(rgb: np.ndarray) -> np.ndarray:
    """Map an ``(H, W, 3)`` Cityscapes colour map to train ids; other colours become 255.

    Colours are ambiguous for 'polegroup' (id 18, ignored), which shares the colour of 'pole'
    and so becomes pole; palette and greyscale labels keep the distinction.
    """
    packed = _pack(*np.moveaxis(rgb.astype(np.int64), -1, 0))
    idx = np.searchsorted(COLOR_KEYS, packed).clip(max=len(COLOR_KEYS) - 1)
    return np.where(COLOR_KEYS[idx] == packed, COLOR_TRAIN_IDS[idx], IGNORE_INDEX).astype(np.uint8)


def read_train_ids(label_file: str) -> np.ndarray:
    """Read one GTA5 label PNG and return its ``uint8`` train-id map.

    Palette ("P") images are read with PIL, whose array holds the palette indices, i.e. the
    label ids (OpenCV, even with ``IMREAD_UNCHANGED``, expands palettes to BGR colours).
    Greyscale ("L") images hold the ids directly; "RGB" images are Cityscapes colour maps.
    """
    try:
        with Image.open(label_file) as img:
            mode, array = img.mode, np.asarray(img)
    except OSError as err:
        raise OSError(f'cannot read GTA5 label file {label_file}: {err}') from err
    if mode in ('P', 'L'):
        return ID_LUT[array]
    if mode == 'RGB':
        return _colors_to_train_ids(array)
    raise ValueError(
        f'unsupported image mode {mode!r} in GTA5 label file {label_file} '
        "(expected 'P', 'L' or 'RGB')"
    )


def convert_label(label_file: str, out_dir: str) -> str:
    """Convert one label file into ``out_dir/<name>_labelTrainIds.png``; return that path."""
    stem = osp.splitext(osp.basename(label_file))[0]
    out_file = osp.join(out_dir, stem + OUT_SUFFIX)
    Image.fromarray(read_train_ids(label_file)).save(out_file)
    return out_file


def find_label_files(labels_dir: str) -> list[str]:
    """Source label PNGs in ``labels_dir`` (earlier ``*_labelTrainIds.png`` outputs excluded)."""
    if not osp.isdir(labels_dir):
        raise FileNotFoundError(f'GTA5 labels directory not found: {labels_dir}')
    return sorted(
        osp.join(labels_dir, name)
        for name in scandir(labels_dir, suffix='.png')
        if not name.endswith(OUT_SUFFIX)
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Convert GTA5 labels (Cityscapes ids) to Cityscapes train ids'
    )
    parser.add_argument('gta_path', help='GTA5 root holding images/ and labels/')
    parser.add_argument('-o', '--out-dir', help='output dir (default: <gta_path>/labels)')
    parser.add_argument('--nproc', default=8, type=int, help='number of processes')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Convert every label file under ``<gta_path>/labels``."""
    args = parse_args(argv)
    labels_dir = osp.join(args.gta_path, 'labels')
    label_files = find_label_files(labels_dir)
    if not label_files:
        raise FileNotFoundError(f'no GTA5 label PNGs found in {labels_dir}')
    out_dir = args.out_dir or labels_dir
    mkdir_or_exist(out_dir)
    convert = partial(convert_label, out_dir=out_dir)
    if args.nproc > 1:
        track_parallel_progress(convert, label_files, args.nproc)
    else:
        track_progress(convert, label_files)


if __name__ == '__main__':
    main()
