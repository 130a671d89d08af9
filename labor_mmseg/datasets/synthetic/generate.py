"""Write the benchmark's files and meta.json under a root, and tell whether a root already holds
the output of given parameters; the output does not depend on the number of workers."""

import inspect
import json
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .render import render_scene
from .styles import CLASSES, DOMAINS, IGNORE

try:
    from tqdm import tqdm
except ImportError:  # progress bars are optional
    tqdm = None

GENERATOR_VERSION = 1

TRAIN_CITIES = ('aachen', 'bremen', 'zurich')
VAL_CITIES = ('frankfurt', 'lindau')
_GENERATOR = 'labor_mmseg.datasets.synthetic'
_OUTPUT_DIRS = ('gta/images', 'gta/labels', 'cityscapes/leftImg8bit', 'cityscapes/gtFine')


@dataclass(frozen=True)
class _Job:
    """One image to render and write."""

    subset: str  # 'source', 'target_train' or 'target_val'
    rng_key: tuple[int, int, int, int]  # (seed, domain id, split id, index)
    image_path: Path
    label_path: Path
    height: int
    width: int


def _jobs(root: Path, num_source: int, num_target_train: int, num_target_val: int,
          height: int, width: int, seed: int) -> list[_Job]:
    """List every file pair of the benchmark with its random key."""
    jobs = [_Job('source', (seed, 0, 0, i), root / 'gta' / 'images' / f'{i:05d}.png',
                 root / 'gta' / 'labels' / f'{i:05d}_labelTrainIds.png', height, width)
            for i in range(num_source)]
    for split_id, (split, n, cities) in enumerate(
            (('train', num_target_train, TRAIN_CITIES), ('val', num_target_val, VAL_CITIES))):
        for i in range(n):
            city = cities[i % len(cities)]
            stem = f'{city}_{i // len(cities):06d}_000019'
            jobs.append(_Job(
                f'target_{split}', (seed, 1, split_id, i),
                root / 'cityscapes' / 'leftImg8bit' / split / city / f'{stem}_leftImg8bit.png',
                root / 'cityscapes' / 'gtFine' / split / city / f'{stem}_gtFine_labelTrainIds.png',
                height, width))
    return jobs


def _run_job(job: _Job) -> tuple[str, np.ndarray]:
    """Render one scene, write its image and label, return its label histogram."""
    rng = np.random.default_rng(list(job.rng_key))
    image, label = render_scene(rng, DOMAINS[job.rng_key[1]], job.height, job.width)
    for path, array in ((job.image_path, cv2.cvtColor(image, cv2.COLOR_RGB2BGR)),
                        (job.label_path, label)):
        path.parent.mkdir(parents=True, exist_ok=True)
        if not cv2.imwrite(str(path), array):
            raise OSError(f'could not write {path}')
    return job.subset, np.bincount(label.ravel(), minlength=256)


def _init_worker() -> None:
    """Keep each worker process single-threaded."""
    cv2.setNumThreads(1)


def _run_all(jobs: list[_Job], workers: int) -> Iterator[tuple[str, np.ndarray]]:
    """Run the jobs in this process or in a pool (results in any order)."""
    if workers <= 1:
        yield from map(_run_job, jobs)
        return
    with multiprocessing.Pool(workers, initializer=_init_worker) as pool:
        yield from pool.imap_unordered(_run_job, jobs, chunksize=8)


def _claim(root: Path) -> None:
    """Mark root as generator output, refusing a folder whose PNGs someone else wrote."""
    meta_path = root / 'meta.json'
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        meta = None
    ours = isinstance(meta, dict) and meta.get('generator') == _GENERATOR
    if not ours and any(next((root / sub).rglob('*.png'), None) for sub in _OUTPUT_DIRS):
        raise FileExistsError(f'{root} holds PNGs that the synthetic generator did not write '
                              '(real data?); choose another root or empty it')
    root.mkdir(parents=True, exist_ok=True)
    meta_path.write_text(json.dumps({'generator': _GENERATOR}) + '\n')  # incomplete until the end


def _remove_stale(root: Path, expected: set[Path]) -> None:
    """Delete PNGs left in the benchmark folders by an earlier, larger generation."""
    for sub in _OUTPUT_DIRS:
        for path in (root / sub).rglob('*.png'):
            if path not in expected:
                path.unlink()


def _identity(**kwargs: object) -> dict[str, object]:
    """The generation parameters that determine the output, with defaults filled in."""
    bound = inspect.signature(generate_synthetic_benchmark).bind(**kwargs)
    bound.apply_defaults()
    args = dict(bound.arguments)
    for key in ('root', 'workers', 'progress'):
        args.pop(key)
    return {'generator_version': GENERATOR_VERSION, **args}


def generate_synthetic_benchmark(root: str | Path, num_source: int = 400,
                                 num_target_train: int = 300, num_target_val: int = 100,
                                 height: int = 128, width: int = 256, seed: int = 0,
                                 workers: int = 2, progress: bool = True) -> dict:
    """Write both domains under root; return the metadata dict (also saved as <root>/meta.json)."""
    root = Path(root)
    identity = _identity(root=root, num_source=num_source, num_target_train=num_target_train,
                         num_target_val=num_target_val, height=height, width=width, seed=seed)
    _claim(root)
    jobs = _jobs(root, num_source, num_target_train, num_target_val, height, width, seed)
    _remove_stale(root, {p for job in jobs for p in (job.image_path, job.label_path)})
    counts = {s: np.zeros(256, np.int64) for s in ('source', 'target_train', 'target_val')}
    files = dict.fromkeys(counts, 0)
    results = _run_all(jobs, workers)
    if progress and tqdm is not None:
        results = tqdm(results, total=len(jobs), desc='synthetic benchmark', unit='img')
    for subset, hist in results:
        counts[subset] += hist
        files[subset] += 1
    meta = {
        'generator': _GENERATOR,
        **identity,
        'classes': list(CLASSES),
        'cities': {'train': list(TRAIN_CITIES), 'val': list(VAL_CITIES)},
        'file_counts': files,
        'class_pixel_frequency': {
            s: [round(float(c) / max(1, int(hist.sum())), 6) for c in hist[:len(CLASSES)]]
            for s, hist in counts.items()},
        'ignore_pixel_frequency': {
            s: round(float(hist[IGNORE]) / max(1, int(hist.sum())), 6)
            for s, hist in counts.items()},
    }
    (root / 'meta.json').write_text(json.dumps(meta, indent=2) + '\n')
    return meta


def benchmark_is_current(root: str | Path, **kwargs: object) -> bool:
    """True when <root>/meta.json and all files match these generation kwargs and version."""
    root = Path(root)
    try:
        meta = json.loads((root / 'meta.json').read_text())
    except (OSError, ValueError):
        return False
    identity = _identity(root=root, **kwargs)
    if not isinstance(meta, dict) or any(meta.get(k) != v for k, v in identity.items()):
        return False
    params = {key: value for key, value in identity.items() if key != 'generator_version'}
    jobs = _jobs(root, **params)
    return all(job.image_path.is_file() and job.label_path.is_file() for job in jobs)


@contextmanager
def _generation_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<root>/.generate.lock`` (POSIX ``flock``, released when the file
    closes, also by a crash) while one caller checks and writes root."""
    import fcntl  # imported here: POSIX only, and only generation needs it

    root.mkdir(parents=True, exist_ok=True)
    with open(root / '.generate.lock', 'w') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def ensure_synthetic_benchmark(root: str | Path, force: bool = False,
                               **kwargs: object) -> dict | None:
    """Generate the benchmark under root with ``generate_synthetic_benchmark``'s kwargs unless it
    is current (or ``force``); return its metadata, or None when it was already current.

    One caller per root at a time: jobs started together generate it once, and none reads a file
    that another is still writing.
    """
    root = Path(root)
    with _generation_lock(root):
        if not force and benchmark_is_current(root, **kwargs):
            return None
        return generate_synthetic_benchmark(root, **kwargs)
