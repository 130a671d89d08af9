"""Tests for the synthetic GTA5 -> Cityscapes-like benchmark generator."""

import hashlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from labor_mmseg.datasets import synthetic
from labor_mmseg.datasets.synthetic import (
    BICYCLE,
    CAR,
    CLASSES,
    GENERATOR_VERSION,
    IGNORE,
    PERSON,
    POLE,
    RIDER,
    ROAD,
    SIDEWALK,
    SIGN,
    SKY,
    TERRAIN,
    VEGETATION,
    benchmark_is_current,
    ensure_synthetic_benchmark,
    generate_synthetic_benchmark,
    render_scene,
)

REPO = Path(__file__).resolve().parents[1]
SMALL = dict(num_source=6, num_target_train=4, num_target_val=3, height=64, width=128)


def _hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file under root, keyed by relative path."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob('*')) if p.is_file()}


def _expected_files() -> set[str]:
    """Relative paths the SMALL benchmark must contain, spelled out independently."""
    files = {'meta.json'}
    for i in range(6):
        files |= {f'gta/images/{i:05d}.png', f'gta/labels/{i:05d}_labelTrainIds.png'}
    for split, n, cities in (('train', 4, ('aachen', 'bremen', 'zurich')),
                             ('val', 3, ('frankfurt', 'lindau'))):
        for i in range(n):
            city = cities[i % len(cities)]
            stem = f'{city}/{city}_{i // len(cities):06d}_000019'
            files |= {f'cityscapes/leftImg8bit/{split}/{stem}_leftImg8bit.png',
                      f'cityscapes/gtFine/{split}/{stem}_gtFine_labelTrainIds.png'}
    return files


@pytest.fixture(scope='module')
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A small benchmark generated once with two worker processes."""
    root = tmp_path_factory.mktemp('bench')
    meta = generate_synthetic_benchmark(root, seed=0, workers=2, progress=False, **SMALL)
    return root, meta


@pytest.fixture(scope='module')
def class_means() -> dict[str, np.ndarray]:
    """Mean RGB colour of every class per domain (NaN when absent) over 40 scenes each."""
    means = {}
    for domain_id, domain in enumerate(('source', 'target')):
        sums, counts = np.zeros((256, 3)), np.zeros(256)
        for i in range(40):
            image, label = render_scene(np.random.default_rng([123, domain_id, i]), domain, 64, 128)
            flat = label.ravel()
            counts += np.bincount(flat, minlength=256)
            sums += np.stack([np.bincount(flat, image[..., c].ravel(), 256) for c in range(3)], 1)
        with np.errstate(invalid='ignore'):
            means[domain] = sums / counts[:, None]
    return means


def test_layout_and_naming(bench: tuple[Path, dict]) -> None:
    root, meta = bench
    files = {str(p.relative_to(root)) for p in root.rglob('*') if p.is_file()}
    assert files == _expected_files()
    assert meta == json.loads((root / 'meta.json').read_text())
    assert meta['file_counts'] == {'source': 6, 'target_train': 4, 'target_val': 3}
    assert meta['generator_version'] == GENERATOR_VERSION
    assert not set(meta['cities']['train']) & set(meta['cities']['val'])


def test_image_and_label_format(bench: tuple[Path, dict]) -> None:
    root, _ = bench
    labels = sorted(root.rglob('*_labelTrainIds.png'))
    assert len(labels) == 13
    allowed = set(range(len(CLASSES))) | {IGNORE}
    for label_path in labels:
        name = label_path.name
        if label_path.parts[-2] == 'labels':
            image_path = root / 'gta' / 'images' / name.replace('_labelTrainIds', '')
        else:
            image_path = Path(str(label_path).replace('gtFine', 'leftImg8bit', 1).replace(
                '_gtFine_labelTrainIds', '_leftImg8bit'))
        label = cv2.imread(str(label_path), cv2.IMREAD_UNCHANGED)
        image = cv2.imread(str(image_path), cv2.IMREAD_UNCHANGED)
        assert label.dtype == np.uint8 and label.shape == (64, 128)
        assert image.dtype == np.uint8 and image.shape == (64, 128, 3)
        assert set(np.unique(label).tolist()) <= allowed


def test_meta_frequencies(bench: tuple[Path, dict]) -> None:
    _, meta = bench
    for subset in ('source', 'target_train', 'target_val'):
        freq = meta['class_pixel_frequency'][subset]
        assert len(freq) == len(CLASSES)
        total = sum(freq) + meta['ignore_pixel_frequency'][subset]
        assert total == pytest.approx(1.0, abs=1e-4)
        assert freq[ROAD] > 0.05 and freq[SKY] > 0.05


def test_deterministic_across_runs_and_workers(bench: tuple[Path, dict], tmp_path: Path) -> None:
    root, _ = bench
    generate_synthetic_benchmark(tmp_path, seed=0, workers=1, progress=False, **SMALL)
    assert _hashes(tmp_path) == _hashes(root)


def test_different_seed_differs(bench: tuple[Path, dict], tmp_path: Path) -> None:
    root, _ = bench
    generate_synthetic_benchmark(tmp_path, seed=1, workers=2, progress=False, **SMALL)
    ours, theirs = _hashes(root), _hashes(tmp_path)
    assert ours.keys() == theirs.keys()
    assert all(ours[k] != theirs[k] for k in ours if k.endswith('.png'))


def test_regeneration_removes_stale_files(tmp_path: Path) -> None:
    small = dict(SMALL, num_source=2, num_target_train=2, num_target_val=1)
    generate_synthetic_benchmark(tmp_path, progress=False, workers=1, **SMALL)
    generate_synthetic_benchmark(tmp_path, progress=False, workers=1, **small)
    assert len(list((tmp_path / 'gta' / 'images').glob('*.png'))) == 2
    assert len(list((tmp_path / 'cityscapes' / 'gtFine').rglob('*.png'))) == 3
    assert benchmark_is_current(tmp_path, **small)


def test_refuses_to_overwrite_foreign_pngs(tmp_path: Path) -> None:
    real = tmp_path / 'cityscapes/leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png'
    real.parent.mkdir(parents=True)
    real.write_bytes(b'real data')
    with pytest.raises(FileExistsError):
        generate_synthetic_benchmark(tmp_path, progress=False, workers=1, **SMALL)
    assert real.read_bytes() == b'real data'
    assert not (tmp_path / 'meta.json').exists()


def test_interrupted_generation_is_redone(tmp_path: Path) -> None:
    meta = generate_synthetic_benchmark(tmp_path, progress=False, workers=1, **SMALL)
    (tmp_path / 'meta.json').write_text(json.dumps({'generator': meta['generator']}))
    assert not benchmark_is_current(tmp_path, **SMALL)
    generate_synthetic_benchmark(tmp_path, progress=False, workers=1, **SMALL)
    assert benchmark_is_current(tmp_path, **SMALL)


def test_ensure_waits_for_the_generation_under_way(tmp_path: Path) -> None:
    """A second caller blocks while another holds the root, then finds its output current."""
    kwargs = dict(SMALL, num_source=2, num_target_train=2, num_target_val=2, workers=1,
                  progress=False)
    results = []
    waiter = threading.Thread(
        target=lambda: results.append(ensure_synthetic_benchmark(tmp_path, **kwargs)))
    with synthetic.generate._generation_lock(tmp_path):
        waiter.start()
        waiter.join(timeout=1.0)
        assert waiter.is_alive() and not (tmp_path / 'meta.json').exists()
        generate_synthetic_benchmark(tmp_path, **kwargs)  # the holder's own generation
        written = _hashes(tmp_path)
    waiter.join(timeout=30)
    assert results == [None]  # current once the holder let go: nothing written twice
    assert _hashes(tmp_path) == written
    assert ensure_synthetic_benchmark(tmp_path, force=True, **kwargs)['file_counts'] == {
        'source': 2, 'target_train': 2, 'target_val': 2}


def test_benchmark_is_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kwargs = dict(SMALL, num_source=2, num_target_train=2, num_target_val=2)
    assert not benchmark_is_current(tmp_path, **kwargs)
    generate_synthetic_benchmark(tmp_path, progress=False, workers=1, **kwargs)
    assert benchmark_is_current(tmp_path, **kwargs)
    assert benchmark_is_current(tmp_path, workers=2, progress=True, **kwargs)
    assert not benchmark_is_current(tmp_path, **dict(kwargs, num_source=3))
    assert not benchmark_is_current(tmp_path, **dict(kwargs, seed=1))
    assert not benchmark_is_current(tmp_path, **dict(kwargs, height=32))
    assert not benchmark_is_current(tmp_path)  # the defaults differ
    with monkeypatch.context() as m:
        m.setattr(synthetic.generate, 'GENERATOR_VERSION', GENERATOR_VERSION + 1)
        assert not benchmark_is_current(tmp_path, **kwargs)
    next(tmp_path.rglob('*_leftImg8bit.png')).unlink()
    assert not benchmark_is_current(tmp_path, **kwargs)


def test_classes_present_in_both_domains() -> None:
    for domain_id, domain in enumerate(('source', 'target')):
        present: set[int] = set()
        for i in range(30):
            _, label = render_scene(np.random.default_rng([5, domain_id, i]), domain, 64, 128)
            present |= set(np.unique(label).tolist())
        present.discard(IGNORE)
        assert len(present) >= 10, domain
        assert {POLE, SIGN, PERSON} <= present, domain
        assert present & {RIDER, BICYCLE}, domain


def test_render_scene_is_seeded() -> None:
    a = render_scene(np.random.default_rng(3), 'target', 64, 128)
    b = render_scene(np.random.default_rng(3), 'target', 64, 128)
    c = render_scene(np.random.default_rng(4), 'target', 64, 128)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
    with pytest.raises(ValueError):
        render_scene(np.random.default_rng(0), 'gta', 64, 128)


def test_appearance_shift(class_means: dict[str, np.ndarray]) -> None:
    src, tgt = class_means['source'], class_means['target']
    for cls in (ROAD, SKY, CAR, SIGN, PERSON):
        assert np.linalg.norm(src[cls] - tgt[cls]) > 20, CLASSES[cls]


def test_designed_confusions(class_means: dict[str, np.ndarray]) -> None:
    src, tgt = class_means['source'], class_means['target']

    def dist(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(a - b))

    # Target sidewalk looks like source road, target terrain like source vegetation (and back).
    assert dist(tgt[SIDEWALK], src[ROAD]) < dist(tgt[SIDEWALK], src[SIDEWALK])
    assert dist(tgt[TERRAIN], src[VEGETATION]) < dist(tgt[TERRAIN], src[TERRAIN])
    assert dist(tgt[VEGETATION], src[TERRAIN]) < dist(tgt[VEGETATION], src[VEGETATION])
    # ... while the swapped classes stay distinguishable inside the target domain.
    assert dist(tgt[SIDEWALK], tgt[ROAD]) > 25
    assert dist(tgt[TERRAIN], tgt[VEGETATION]) > 25


def test_cli_generates_then_skips(tmp_path: Path) -> None:
    cmd = [sys.executable, str(REPO / 'tools' / 'generate_synthetic.py'), '--root', str(tmp_path),
           '--num-source', '2', '--num-target-train', '2', '--num-target-val', '2',
           '--height', '32', '--width', '64', '--workers', '1', '--no-progress']
    first = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=REPO)
    assert 'wrote' in first.stdout
    assert benchmark_is_current(tmp_path, num_source=2, num_target_train=2, num_target_val=2,
                                height=32, width=64)
    second = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=REPO)
    assert 'up to date' in second.stdout
    forced = subprocess.run(cmd + ['--force'], capture_output=True, text=True, check=True,
                            cwd=REPO)
    assert 'wrote' in forced.stdout
