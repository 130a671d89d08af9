"""Render one scene: its labels and tints become an RGB image with the domain's textures,
lighting, blur and noise, all drawn from the caller's generator."""

import cv2
import numpy as np

from .scene import _Canvas, _draw_scene
from .styles import _LUTS, DOMAINS, STYLES, Texture


def _value_noise(rng: np.random.Generator, height: int, width: int, period: float) -> np.ndarray:
    """Smooth unit-variance-ish noise with features of about ``period`` px."""
    gh, gw = int(height / period) + 2, int(width / period) + 2
    grid = rng.standard_normal((gh, gw), dtype=np.float32)
    big = cv2.resize(grid, (round(gw * period), round(gh * period)),
                     interpolation=cv2.INTER_CUBIC)
    return big[:height, :width]


def _texture(rng: np.random.Generator, tex: Texture, height: int, width: int) -> np.ndarray:
    """Render one luminance texture over the whole image (scaled with the image height)."""
    p = max(1.5, tex.period * height / 128.0)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    oy, ox = rng.uniform(0, p, 2)
    if tex.kind == 'grain':
        field = rng.standard_normal((height, width), dtype=np.float32)
    elif tex.kind == 'blotch':
        field = _value_noise(rng, height, width, p)
    elif tex.kind == 'grid':
        line = max(1.0, p / 8.0)
        field = -(np.minimum((yy + oy) % p, (xx + ox) % p) < line).astype(np.float32)
    elif tex.kind == 'hstripes':
        field = np.sign(np.sin((yy + oy) * (2 * np.pi / p)))
    elif tex.kind == 'vstripes':
        field = np.sign(np.sin((xx + ox) * (2 * np.pi / p)))
    elif tex.kind == 'windows':
        field = -(((xx + ox) % p < 0.5 * p) & ((yy + oy) % (1.3 * p) < 0.6 * p)).astype(np.float32)
    elif tex.kind == 'vgrad':
        field = 2.0 * yy / height - 1.0
    else:
        raise ValueError(f'unknown texture kind {tex.kind!r}')
    return tex.amp * field


def _render_image(rng: np.random.Generator, cv: _Canvas, domain: str) -> np.ndarray:
    """Turn labels and tints into an RGB image with the domain's textures and lighting."""
    style = STYLES[domain]
    label = cv.label
    h, w = label.shape
    img = _LUTS[domain][label] * cv.tint
    lum = np.zeros((h, w), np.float32)
    for cls in np.unique(label):
        textures = style.textures.get(int(cls), ())
        if textures:
            mask = label == cls
            lum[mask] += sum(_texture(rng, t, h, w) for t in textures)[mask]
    img += lum[..., None]
    mean = float(img.mean())
    img = (img - mean) * rng.uniform(*style.contrast) + mean
    img = img * rng.uniform(*style.gain) + (np.asarray(style.cast) + rng.normal(0, 5, 3))
    gray = img.mean(axis=2, keepdims=True)
    img = gray + (img - gray) * style.saturation
    if style.blur > 0:
        img = cv2.GaussianBlur(img.astype(np.float32), (0, 0), style.blur * h / 128.0)
    img += style.noise * rng.standard_normal(img.shape, dtype=np.float32)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def render_scene(rng: np.random.Generator, domain: str, height: int,
                 width: int) -> tuple[np.ndarray, np.ndarray]:
    """Render one scene: (RGB image HxWx3 uint8, train-id label HxW uint8)."""
    if domain not in STYLES:
        raise ValueError(f'domain must be one of {DOMAINS}, got {domain!r}')
    cv = _draw_scene(rng, STYLES[domain], height, width)
    return _render_image(rng, cv, domain), cv.label
