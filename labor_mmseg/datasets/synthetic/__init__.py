"""Deterministic synthetic street scenes: a small GTA5 -> Cityscapes-like benchmark.

Both domains use the Cityscapes 19-class train-id label space (255 = ignore). Scenes are drawn
as a label map plus a per-pixel tint map (painter's algorithm, far to near) and then rendered
with domain-specific palettes, class textures and global lighting.

The *source* domain (GTA5-like) is saturated, warm and sharp, with large objects and many
cars. The *target* domain (Cityscapes-like) is dull, cool, blurred and noisy, with smaller
objects, more persons and vegetation, an ego-vehicle bonnet labelled 255, and appearance swaps
that feature alignment alone cannot undo but a few target labels can:

* target ``sidewalk`` looks like source ``road`` (smooth grey asphalt), while target ``road``
  is dark, violet and blotchy;
* target ``terrain`` looks like source ``vegetation`` (leafy green), while target
  ``vegetation`` is ochre like source ``terrain``.

Per-image random generators are derived from ``(seed, domain, split, index)``, so the output
is byte-identical for a given seed whatever the number of worker processes.
"""

from .generate import (
    GENERATOR_VERSION,
    TRAIN_CITIES,
    VAL_CITIES,
    benchmark_is_current,
    ensure_synthetic_benchmark,
    generate_synthetic_benchmark,
)
from .render import render_scene
from .styles import (
    BICYCLE,
    BUILDING,
    BUS,
    CAR,
    CLASSES,
    DOMAINS,
    FENCE,
    IGNORE,
    LIGHT,
    MOTORCYCLE,
    PERSON,
    POLE,
    RIDER,
    ROAD,
    SIDEWALK,
    SIGN,
    SKY,
    SOURCE_STYLE,
    STYLES,
    TARGET_STYLE,
    TERRAIN,
    TRAIN,
    TRUCK,
    VEGETATION,
    WALL,
    DomainStyle,
    Texture,
    Tint,
)

__all__ = [
    'BICYCLE', 'BUILDING', 'BUS', 'CAR', 'CLASSES', 'DOMAINS', 'FENCE', 'GENERATOR_VERSION',
    'IGNORE', 'LIGHT', 'MOTORCYCLE', 'PERSON', 'POLE', 'RIDER', 'ROAD', 'SIDEWALK', 'SIGN', 'SKY',
    'SOURCE_STYLE', 'STYLES', 'TARGET_STYLE', 'TERRAIN', 'TRAIN', 'TRAIN_CITIES', 'TRUCK',
    'VAL_CITIES', 'VEGETATION', 'WALL', 'DomainStyle', 'Texture', 'Tint', 'benchmark_is_current',
    'ensure_synthetic_benchmark', 'generate_synthetic_benchmark', 'render_scene',
]
