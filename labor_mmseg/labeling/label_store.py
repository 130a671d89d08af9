"""Per-image sparse label maps (uint8 PNG, 255 = unlabeled) and a JSON manifest of the rounds."""

import fcntl
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .effort import EFFORT_FIELDS, REVIEW_FIELDS, add_effort, mask_effort, no_effort

# 2: per-image queried counts (queried_per_image) find uncommitted labels; 3: round maps, the
# round each pixel was queried in, give each round's annotation effort. Fields added since
# (``run_id``, the ``void``/``unanswered`` counts, a round's ``review``) kept the version: a
# store written before lacks them, and readers take a missing one as unknown.
MANIFEST_VERSION = 3
BEFORE_ROUND_MAPS = 255  # a round map's value for pixels queried before the store had them
# A queried pixel whose answer is "no class" (void, e.g. the ego vehicle), and one the annotator
# left unanswered: either way the query is spent and never asked again, but the pixel is served
# to training as unlabeled (255). Stores written before unanswered pixels were told apart hold
# 254 for both.
QUERIED_VOID = 254
QUERIED_UNANSWERED = 253


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same directory, fsync, replace;
    with the mode ``open`` would give (the temp file's own 0600 would lock out other users)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(f.fileno(), 0o666 & ~umask)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_png(path: Path, image: np.ndarray) -> None:
    """Encode a 2-D uint8 array as PNG and write it atomically."""
    ok, buf = cv2.imencode('.png', image)
    if not ok:
        raise ValueError(f'could not encode {path} as PNG')
    write_atomic(path, buf.tobytes())


def read_label_png(path: Path, num_classes: int, ignore_index: int = 255) -> np.ndarray:
    """Read a single-channel uint8 label PNG whose values are class ids, ``QUERIED_UNANSWERED``,
    ``QUERIED_VOID`` or ``ignore_index``.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` naming the file when it is
    not a readable single-channel 8-bit image or holds other values.
    """
    image = cv2.imdecode(np.frombuffer(Path(path).read_bytes(), np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError(f'{path}: unreadable or corrupt image file')
    if image.ndim != 2 or image.dtype != np.uint8:
        raise ValueError(f'{path}: expected a single-channel 8-bit label image, '
                         f'got shape {image.shape} and dtype {image.dtype}')
    bad = (image >= num_classes) & ~np.isin(image, (QUERIED_UNANSWERED, QUERIED_VOID,
                                                    ignore_index))
    if bad.any():
        raise ValueError(f'{path}: {int(bad.sum())} pixels hold values outside '
                         f'0..{num_classes - 1}, {QUERIED_UNANSWERED}, {QUERIED_VOID} and '
                         f'{ignore_index}: {np.unique(image[bad])[:5]}')
    return image


def label_stats(labels: np.ndarray, num_classes: int, ignore_index: int = 255) -> dict[str, Any]:
    """Of a label map: labeled ``pixels``, ``queried`` pixels (labeled, void or unanswered),
    per-class ``class_counts``, and the queried pixels answered ``void`` and left
    ``unanswered``."""
    queried = labels[labels != ignore_index]
    labeled = queried[queried < num_classes]
    counts = np.bincount(labeled.ravel(), minlength=num_classes)[:num_classes]
    return {'pixels': int(labeled.size), 'queried': int(queried.size),
            'class_counts': counts.tolist(), 'void': int((queried == QUERIED_VOID).sum()),
            'unanswered': int((queried == QUERIED_UNANSWERED).sum())}


class StoreInUseError(RuntimeError):
    """Another process writes to the label store (its lock is held)."""


# Resolved store root -> the store object of this process that holds its lock.
_LOCK_HOLDERS: dict[str, 'LabelStore'] = {}


class LabelStore:
    """Sparse target labels acquired round by round, persisted as PNG + JSON (no pickle).

    Layout under ``root``: ``labels/<key>.png`` per image (``key`` is a relative image id such as
    ``aachen/aachen_000000_000019``; 255 = unlabeled), ``rounds/<key>.png`` (the round each
    pixel was queried in, ``r + 1``; 0 = not queried) and ``manifest.json`` with the dataset
    ``signature``, the committed ``rounds``, the totals, each image's queried pixels
    (``queried_per_image``), the format ``version`` and the store's :attr:`run_id`. In a label
    map a queried pixel without a class is ``QUERIED_VOID`` (answered void) or
    ``QUERIED_UNANSWERED`` (left unanswered). Reopening a store with another signature,
    or one whose label files hold fewer queried pixels than committed, raises ``ValueError``.
    Every file is written atomically.

    :meth:`add` writes labels to disk at once; :meth:`commit_round` then counts them from the files,
    so labels written by other processes (distributed ranks) or before a crash are counted too.
    The manifest keeps each image's queried pixels at the last commit, so opening a store finds
    the labels added after it (:attr:`uncommitted`: a round a killed process did not commit);
    the selection hook completes that round without asking for those images again. Leftover
    temporary files of an interrupted write are ignored.

    The store owns its accounting: given the target set's size (``target_images``,
    ``target_pixels``: recorded in the manifest when the store is created, checked when given
    again), every round entry and :meth:`totals` carry the shares of it, so a round answered by
    a person (``tools/import_answers.py``) is counted like one answered by the ground truth.
    Each round entry also holds the round's annotation ``effort`` (:func:`~.effort.mask_effort`
    summed over its images), from the round maps, and its ``void`` and ``unanswered`` pixels
    (rounds committed before these were counted lack them).

    One writer at a time: a process that writes (a training, an import) holds the store's
    :meth:`lock` (``store.lock``, released when the process ends, killed or not); another
    gets ``StoreInUseError`` naming the holder.
    """

    def __init__(self, root: str | os.PathLike, signature: dict[str, Any], num_classes: int = 19,
                 ignore_index: int = 255, target_images: int | None = None,
                 target_pixels: int | None = None) -> None:
        if not 0 < num_classes <= QUERIED_UNANSWERED:
            raise ValueError(f'num_classes must be in 1..{QUERIED_UNANSWERED} '
                             f'({QUERIED_UNANSWERED} and {QUERIED_VOID} mark queried pixels '
                             f'without a class), got {num_classes}')
        if ignore_index != 255:
            raise ValueError(f'ignore_index must be 255, got {ignore_index}')
        self.root = Path(root)
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.manifest_path = self.root / 'manifest.json'
        expected = {
            'version': MANIFEST_VERSION,
            'dataset': json.loads(json.dumps(signature)),  # as it reads back from JSON
            'num_classes': num_classes,
            'ignore_index': ignore_index,
        }
        self._added = 0  # labeled pixels on disk not counted by a commit yet
        self._uncommitted: dict[str, int] = {}  # image key -> its queried pixels not committed
        target = {'target_images': target_images, 'target_pixels': target_pixels}
        for name, value in target.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                raise ValueError(f'{name} must be a positive int, got {value!r}')
        self._lock_file = None
        if self.manifest_path.exists():
            self._manifest = self._load_manifest()
            upgrade = self._manifest.get('version') == 2
            if upgrade:
                expected['version'] = 2  # checked as it is, then upgraded
            # The target set's size is recorded once; a reopening caller may leave it out.
            expected.update({k: v for k, v in target.items() if v is not None})
            self._check_matches(expected)
            if upgrade:
                self._add_round_maps()
            self._find_uncommitted()
        else:
            stray = next(self._label_files(), None)
            if stray is not None:
                raise ValueError(f'{self.manifest_path} is missing but {stray} exists: not a label '
                                 'store of this package, or its manifest was deleted')
            self._manifest = {**expected, **target, 'run_id': uuid.uuid4().hex[:12],
                              'rounds': [], 'labeled_pixels': 0, 'queried_pixels': 0,
                              'void_pixels': 0, 'unanswered_pixels': 0, 'total_pixels': 0,
                              'class_counts': [0] * num_classes, 'queried_per_image': {}}
            self._write_manifest()

    @classmethod
    def open(cls, root: str | os.PathLike) -> 'LabelStore':
        """An existing store, with the signature, classes and target size its manifest records
        (for tools that import answers or read results); ``FileNotFoundError`` naming the
        manifest if there is none."""
        manifest_path = Path(root) / 'manifest.json'
        if not manifest_path.is_file():
            raise FileNotFoundError(f'{manifest_path}: no label store here')
        manifest = json.loads(manifest_path.read_text())
        try:
            return cls(root, manifest['dataset'], num_classes=manifest['num_classes'],
                       ignore_index=manifest['ignore_index'])
        except (KeyError, TypeError) as err:
            raise ValueError(f'{manifest_path}: corrupt manifest (missing {err})') from None

    def _add_round_maps(self) -> None:
        """Upgrade a version 2 store: round maps marking every queried pixel as queried before
        them (``BEFORE_ROUND_MAPS``), so only the rounds committed from now on have an effort."""
        for key, _, labels in self._read_label_files():
            write_png(self.round_map_path(key), np.where(labels != self.ignore_index,
                                                         BEFORE_ROUND_MAPS, 0).astype(np.uint8))
        self._manifest['version'] = MANIFEST_VERSION
        self._write_manifest()

    def lock(self, holder: str | None = None) -> None:
        """Take the store's write lock for this process (kept until :meth:`unlock` or the
        process ends); ``StoreInUseError`` naming the other process if it holds it.
        ``holder`` describes this one in that message (default: its pid and command line).

        The lock keeps other processes out. Within one process the latest store object that
        asks takes it over from an earlier one (a training rerun in the same interpreter after
        one that crashed before releasing it); the earlier object's :meth:`unlock` is then a
        no-op.

        A store created before stores had a :attr:`run_id` gets one here, written to its
        manifest."""
        if self._lock_file is not None:
            return
        key = str(self.root.resolve())
        earlier = _LOCK_HOLDERS.get(key)
        if earlier is not None and earlier._lock_file is not None:
            self._lock_file, earlier._lock_file = earlier._lock_file, None
            _LOCK_HOLDERS[key] = self
            self._give_run_id()
            return
        lock_file = open(self.root / 'store.lock', 'a+')  # noqa: SIM115  (the lock lives with it)
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            other = lock_file.read().strip() or 'another process'
            lock_file.close()
            raise StoreInUseError(f'{self.root} is in use by {other}; wait for it to end (a '
                                  'training stops at a round for a person, an import ends '
                                  'when stored)') from None
        lock_file.truncate(0)
        lock_file.write(holder or f'process {os.getpid()} ({" ".join(sys.argv)})')
        lock_file.flush()
        self._lock_file = lock_file
        _LOCK_HOLDERS[key] = self
        self._give_run_id()

    def _give_run_id(self) -> None:
        """Give the store a run id if its manifest on disk has none (the lock held: no other
        process writes it); only ``run_id`` is added, to the manifest as it is on disk."""
        if 'run_id' in self._manifest:
            return
        on_disk = self._load_manifest()
        if 'run_id' not in on_disk:
            on_disk['run_id'] = uuid.uuid4().hex[:12]
            write_atomic(self.manifest_path, json.dumps(on_disk, indent=1).encode())
        self._manifest['run_id'] = on_disk['run_id']

    def unlock(self) -> None:
        """Release the write lock, if this object holds it."""
        if self._lock_file is not None:
            self._lock_file.truncate(0)
            self._lock_file.close()  # closing releases the flock
            self._lock_file = None
            _LOCK_HOLDERS.pop(str(self.root.resolve()), None)

    def reload(self) -> None:
        """Re-read the manifest and the label files, e.g. after another process committed."""
        self._manifest = self._load_manifest()
        self._find_uncommitted()

    def _label_files(self) -> Iterator[Path]:
        """The label PNGs on disk (temporary files of interrupted writes are not matched)."""
        return (p for p in sorted((self.root / 'labels').rglob('*.png')) if p.is_file())

    def _read_label_files(self) -> Iterator[tuple[str, Path, np.ndarray]]:
        """``(key, path, labels)`` of every label file on disk."""
        labels_dir = self.root / 'labels'
        for path in self._label_files():
            yield (path.relative_to(labels_dir).with_suffix('').as_posix(), path,
                   read_label_png(path, self.num_classes, self.ignore_index))

    def _count_files(self, visit: Callable[[str, Path, np.ndarray], None] | None = None
                     ) -> tuple[dict[str, dict[str, Any]], int]:
        """:func:`label_stats` of every label file by key, and the pixels of all files;
        ``visit(key, path, labels)`` is called on each file as it is read (one read)."""
        counts, total_pixels = {}, 0
        for key, path, labels in self._read_label_files():
            counts[key] = label_stats(labels, self.num_classes, self.ignore_index)
            total_pixels += labels.size
            if visit is not None:
                visit(key, path, labels)
        return counts, total_pixels

    def _find_uncommitted(self) -> None:
        """Count the labels on disk that the last commit did not (added before a crash).

        Raises ``ValueError`` naming the label files that hold fewer queried pixels than the
        manifest counted (deleted or replaced: bought labels were lost).
        """
        counts, _ = self._count_files()
        committed = self._manifest['queried_per_image']
        on_disk = {key: c['queried'] for key, c in counts.items()}
        lost = [f'{self.path(key)} ({on_disk.get(key, 0)} of {count})'
                for key, count in committed.items() if on_disk.get(key, 0) < count]
        if lost:
            raise ValueError(f'{self.manifest_path}: label files hold fewer queried pixels than '
                             f'committed, bought labels are lost: {", ".join(lost[:5])}')
        self._uncommitted = {key: count - committed.get(key, 0) for key, count in on_disk.items()
                             if count != committed.get(key, 0)}
        self._added = sum(c['pixels'] for c in counts.values()) - self._manifest['labeled_pixels']

    def _load_manifest(self) -> dict[str, Any]:
        try:
            manifest = json.loads(self.manifest_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f'{self.manifest_path}: corrupt manifest ({err})') from err
        if not isinstance(manifest, dict):
            raise ValueError(f'{self.manifest_path}: corrupt manifest (not a JSON object)')
        return manifest

    def _check_matches(self, expected: dict[str, Any]) -> None:
        differing = [f'{name}: stored {self._manifest.get(name)!r}, given {value!r}'
                     for name, value in expected.items()
                     if name != 'dataset' and self._manifest.get(name) != value]
        stored = self._manifest.get('dataset', {})
        given = expected['dataset']
        differing += [f'dataset.{name}: stored {stored.get(name)!r}, given {given.get(name)!r}'
                      for name in sorted(set(stored) | set(given))
                      if stored.get(name) != given.get(name)]
        if differing:
            raise ValueError(f'{self.manifest_path} belongs to another dataset or format; '
                             'differing fields: ' + '; '.join(differing))

    def _write_manifest(self) -> None:
        write_atomic(self.manifest_path, json.dumps(self._manifest, indent=1).encode())

    @staticmethod
    def label_path(root: str | os.PathLike, key: str) -> Path:
        """The label PNG of image ``key`` in the store at ``root``; '/' in keys makes subdirs."""
        if not key or Path(key).is_absolute() or '..' in Path(key).parts or '\\' in key:
            raise ValueError(f'label key must be a relative image id without "..", got {key!r}')
        return Path(root) / 'labels' / f'{key}.png'

    def path(self, key: str) -> Path:
        """The label PNG of image ``key`` in this store."""
        return self.label_path(self.root, key)

    def round_map_path(self, key: str) -> Path:
        """The round map of image ``key``: ``rounds/<key>.png`` beside ``labels/``."""
        return self.root / 'rounds' / self.path(key).relative_to(self.root / 'labels')

    def read(self, key: str) -> np.ndarray | None:
        """The label map of ``key`` (uint8, ``ignore_index`` = unlabeled), or None if none yet."""
        path = self.path(key)
        if not path.exists():
            return None
        return read_label_png(path, self.num_classes, self.ignore_index)

    def queried_mask(self, key: str, shape: tuple[int, int]) -> np.ndarray:
        """Boolean ``shape`` map of the pixels of ``key`` already queried (labeled or void)."""
        labels = self.read(key)
        if labels is None:
            return np.zeros(shape, dtype=bool)
        if labels.shape != tuple(shape):
            raise ValueError(f'{self.path(key)}: label map is {labels.shape}, expected {shape}')
        return labels != self.ignore_index

    def review_path(self, key: str) -> Path:
        """Where the review effort of image ``key``'s answers waits for the round's commit:
        ``reviews/<key>.json`` beside ``labels/``."""
        return self.root / 'reviews' / self.path(key).relative_to(self.root / 'labels') \
            .with_suffix('.json')

    def add(self, key: str, labels: np.ndarray, queried: np.ndarray | None = None,
            review: dict[str, Any] | None = None) -> None:
        """Merge the answers to a query on image ``key`` into its map.

        ``review``: what reviewing the proposals of this image cost
        (:func:`~.effort.review_effort`), kept until the round's commit sums it, so a round
        completed after a crash counts the images answered before it too.

        ``labels`` holds class ids at the pixels answered with a class, ``QUERIED_VOID`` at
        those answered "no class" (void) and ``ignore_index`` elsewhere; ``queried`` (default:
        the answered pixels) marks every pixel asked. A queried pixel is stored with its class,
        as ``QUERIED_VOID`` (answered void) or as ``QUERIED_UNANSWERED`` (left unanswered), and
        never asked again. Raises ``ValueError`` on a shape mismatch, values out of range,
        answers outside the query, or a pixel already queried (a pixel is never queried twice).
        """
        labels = np.asarray(labels)
        if labels.ndim != 2 or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f'labels for {key!r} must be a 2-D integer array, '
                             f'got shape {labels.shape} and dtype {labels.dtype}')
        answered = labels != self.ignore_index
        given = labels[answered]
        if ((given < 0) | ((given >= self.num_classes) & (given != QUERIED_VOID))).any():
            raise ValueError(f'labels for {key!r} hold values outside 0..{self.num_classes - 1}, '
                             f'{QUERIED_VOID} (void) and {self.ignore_index}')
        new = answered if queried is None else np.asarray(queried, dtype=bool)
        if new.shape != labels.shape or (answered & ~new).any():
            raise ValueError(f'labels for {key!r}: answers must lie inside the queried pixels '
                             f'(shapes {labels.shape} and {new.shape})')
        if not new.any():
            return
        current = self.read(key)
        if current is None:
            current = np.full(labels.shape, self.ignore_index, dtype=np.uint8)
        elif current.shape != labels.shape:
            raise ValueError(f'labels for {key!r} are {labels.shape}, '
                             f'the stored map is {current.shape}')
        twice = new & (current != self.ignore_index)
        if twice.any():
            raise ValueError(f'{int(twice.sum())} pixels of {key!r} are already queried')
        current[new] = np.where(answered, labels, QUERIED_UNANSWERED)[new]
        if review is not None:  # before the labels: an image on disk has its review
            write_atomic(self.review_path(key), json.dumps(dict(
                review, queried_before=self._manifest['queried_per_image'].get(key, 0))).encode())
        write_png(self.path(key), current)
        self._added += int((answered & (labels != QUERIED_VOID)).sum())
        self._uncommitted[key] = self._uncommitted.get(key, 0) + int(new.sum())

    def commit_round(self, round_idx: int, iteration: int, stats: dict[str, Any]) -> None:
        """Record round ``round_idx`` (at training ``iteration``) in the manifest.

        Counts the label files: the entry gets the ``pixels`` labeled, pixels ``queried``
        (labeled, void or unanswered: the budget spent), per-class ``class_counts``, the
        queried pixels answered ``void`` and left ``unanswered``, ``images`` queried and the
        annotation ``effort`` since the previous commit, plus the caller's ``stats`` (e.g.
        ``strategy``; ``review``: the round's :func:`~.effort.review_effort`, with exactly
        ``REVIEW_FIELDS``); the totals and each image's queried pixels are updated. Reads
        every label file once. Committing a round index twice, or ``stats`` that set what the
        store counts, raises ``ValueError``.
        """
        if round_idx in self.completed_rounds:
            raise ValueError(f'round {round_idx} is already committed in {self.manifest_path}')
        if not 0 <= round_idx < BEFORE_ROUND_MAPS - 1:
            raise ValueError(f'round index {round_idx} outside 0..{BEFORE_ROUND_MAPS - 2}')
        effort = no_effort()

        def mark(key: str, path: Path, labels: np.ndarray) -> None:
            nonlocal effort
            effort = add_effort(effort, self._mark_round(round_idx, key, path, labels))

        counts, total_pixels = self._count_files(mark)
        per_image = {key: c['queried'] for key, c in counts.items()}
        labeled = sum(c['pixels'] for c in counts.values())
        queried = sum(per_image.values())
        void = sum(c['void'] for c in counts.values())
        unanswered = sum(c['unanswered'] for c in counts.values())
        class_counts = np.zeros(self.num_classes, dtype=np.int64)
        for c in counts.values():
            class_counts += c['class_counts']
        m = self._manifest
        before = m['queried_per_image']
        # A store committed before unanswered pixels were told apart holds 254 for both: void.
        void_before = m.get('void_pixels', m['queried_pixels'] - m['labeled_pixels'])
        entry = {
            'round': round_idx,
            'iteration': iteration,
            'pixels': labeled - self._manifest['labeled_pixels'],
            'queried': queried - self._manifest['queried_pixels'],
            'class_counts': (class_counts - self._manifest['class_counts']).tolist(),
            'images': sum(count != before.get(key, 0) for key, count in per_image.items()),
            'effort': effort,
            'void': void - void_before,
            'unanswered': unanswered - m.get('unanswered_pixels', 0),
        }
        entry.update(self._shares(labeled, queried, entry['queried']))
        clashes = sorted(set(entry) & set(stats))
        if clashes:
            raise ValueError(f'stats may not set {clashes}: the store counts them')
        review = stats.get('review')
        if review is not None and (not isinstance(review, dict)
                                   or sorted(review) != sorted(REVIEW_FIELDS)):
            raise ValueError(f'stats["review"] must be a dict of {REVIEW_FIELDS}, got {review!r}')
        reviews = self._pending_reviews(per_image, before)
        if reviews and review is not None:
            raise ValueError('stats may not set "review": the images added with one sum it')
        if reviews:
            entry['review'] = no_effort(REVIEW_FIELDS)
            for part in reviews.values():
                entry['review'] = add_effort(entry['review'], part, REVIEW_FIELDS)
        self._manifest['rounds'].append({**entry, **json.loads(json.dumps(stats))})
        self._manifest.update(labeled_pixels=labeled, queried_pixels=queried, void_pixels=void,
                              unanswered_pixels=unanswered, total_pixels=total_pixels,
                              class_counts=class_counts.tolist(), queried_per_image=per_image)
        self._write_manifest()
        for key in reviews:  # counted; one left by a crash here is stale, never counted again
            self.review_path(key).unlink()
        self._added = 0
        self._uncommitted = {}

    def _pending_reviews(self, per_image: dict[str, int],
                         before: dict[str, int]) -> dict[str, dict[str, Any]]:
        """The reviews of the images queried since the last commit (``per_image`` against
        ``before``) that :meth:`add` kept for them."""
        reviews = {}
        for key, count in per_image.items():
            path = self.review_path(key)
            if count == before.get(key, 0) or not path.is_file():
                continue
            review = json.loads(path.read_text())
            if review.pop('queried_before') == before.get(key, 0):
                reviews[key] = review
        return reviews

    def _mark_round(self, round_idx: int, key: str, path: Path,
                    labels: np.ndarray) -> dict[str, Any]:
        """Mark the queried pixels of image ``key`` (``labels``, read from ``path``) that its
        round map lacks as round ``round_idx``'s, and return the effort of that round's pixels
        in it. A commit killed after some round maps were written marks the rest when it is
        done again, so the effort is the same."""
        queried = labels != self.ignore_index
        map_path = self.round_map_path(key)
        rounds = (cv2.imread(str(map_path), cv2.IMREAD_UNCHANGED) if map_path.is_file()
                  else np.zeros(queried.shape, np.uint8))
        if rounds is None or rounds.shape != queried.shape or rounds.dtype != np.uint8:
            raise ValueError(f'{map_path}: unreadable, or not a uint8 map of {path}\'s size')
        new = queried & (rounds == 0)
        if new.any():
            rounds[new] = round_idx + 1
            write_png(map_path, rounds)
        mine = rounds == round_idx + 1
        return mask_effort(mine) if mine.any() else no_effort()

    def _shares(self, labeled: int, queried: int, round_queried: int) -> dict[str, float]:
        """Totals as shares of the target set, where its size is known: ``labeled_percent``
        (labeled, non-void pixels) and ``queried_percent`` (the budget spent) of its pixels,
        ``points_per_image`` (pixels queried in the round per target image)."""
        shares = {}
        if self._manifest.get('target_pixels'):
            shares.update(labeled_percent=100.0 * labeled / self._manifest['target_pixels'],
                          queried_percent=100.0 * queried / self._manifest['target_pixels'])
        if self._manifest.get('target_images'):
            shares['points_per_image'] = round_queried / self._manifest['target_images']
        return shares

    def totals(self) -> dict[str, Any]:
        """What the committed rounds bought: ``rounds``, ``labeled_pixels``, ``queried_pixels``,
        ``void_pixels`` and ``unanswered_pixels`` (queried pixels answered void, left
        unanswered), ``effort`` and ``review`` (summed over the rounds), and, where the
        target set's size is known, ``labeled_percent``, ``queried_percent`` and
        ``queried_per_image`` (pixels queried per target image). A sum over the rounds is None
        when a round lacks it (committed before the store counted it, or without a review).
        The one place these are computed, whoever answered the rounds."""
        m = self._manifest
        totals = dict(rounds=len(m['rounds']), labeled_pixels=m['labeled_pixels'],
                      queried_pixels=m['queried_pixels'])
        for name, field in (('void_pixels', 'void'), ('unanswered_pixels', 'unanswered')):
            counts = [entry.get(field) for entry in m['rounds']]
            totals[name] = None if None in counts else sum(counts)
        for name, fields in (('effort', EFFORT_FIELDS), ('review', REVIEW_FIELDS)):
            total = no_effort(fields)
            for entry in m['rounds']:
                total = add_effort(total, entry.get(name), fields)
            totals[name] = total
        totals.update({k: v for k, v in self._shares(m['labeled_pixels'], m['queried_pixels'],
                                                     m['queried_pixels']).items()
                       if k != 'points_per_image'})
        if m.get('target_images'):
            totals['queried_per_image'] = m['queried_pixels'] / m['target_images']
        return totals

    @property
    def run_id(self) -> str | None:
        """The store's id (12 hex digits), given when it is created, or, to a store created
        before stores had one, at the first :meth:`lock`; None until then."""
        return self._manifest.get('run_id')

    @property
    def completed_rounds(self) -> list[int]:
        """Indices of the committed rounds, in commit order."""
        return [entry['round'] for entry in self._manifest['rounds']]

    @property
    def uncommitted(self) -> dict[str, int]:
        """Queried pixels per image added since the last commit: by this object, or found on
        disk when the store was opened or reloaded (a round interrupted before its commit)."""
        return dict(self._uncommitted)

    @property
    def labeled_pixels(self) -> int:
        """Labeled pixels at the last commit plus those added since (see :attr:`uncommitted`)."""
        return self._manifest['labeled_pixels'] + self._added

    @property
    def manifest(self) -> dict[str, Any]:
        """A copy of the manifest as last written."""
        return json.loads(json.dumps(self._manifest))
