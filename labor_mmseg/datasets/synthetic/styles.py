"""Cityscapes train-id classes and each domain's appearance and scene statistics: palettes,
class textures, lighting and object counts."""

from dataclasses import dataclass

import numpy as np

CLASSES = (
    'road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light', 'traffic sign',
    'vegetation', 'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'train',
    'motorcycle', 'bicycle',
)
(ROAD, SIDEWALK, BUILDING, WALL, FENCE, POLE, LIGHT, SIGN, VEGETATION, TERRAIN, SKY, PERSON,
 RIDER, CAR, TRUCK, BUS, TRAIN, MOTORCYCLE, BICYCLE) = range(len(CLASSES))
IGNORE = 255

DOMAINS = ('source', 'target')

Tint = tuple[float, float, float]


@dataclass(frozen=True)
class Texture:
    """A luminance texture added to a class: ``kind`` (see ``render._texture``), amplitude and
    period (px)."""

    kind: str
    amp: float
    period: float = 0.0


@dataclass(frozen=True)
class DomainStyle:
    """Appearance, lighting and scene statistics of one domain."""

    palette: dict[int, tuple[int, int, int]]  # RGB base colour per class (and IGNORE)
    textures: dict[int, tuple[Texture, ...]]
    marking: Tint  # tint of road markings
    gain: tuple[float, float]
    contrast: tuple[float, float]
    cast: tuple[float, float, float]  # mean RGB offset
    saturation: float
    blur: float  # Gaussian sigma in px at height 128
    noise: float  # pixel noise sigma
    object_scale: float
    cars: tuple[int, int]
    persons: tuple[int, int]
    riders: tuple[int, int]
    poles: tuple[int, int]
    trees: tuple[int, int]
    sides: tuple[float, float, float, float]  # P(building, wall, hedge, open) beside the street
    p_truck: float
    p_bus: float
    p_train: float
    p_fence: float
    p_verge: float
    p_hood: float


_LEAFY = (Texture('blotch', 38.0, 3.0), Texture('grain', 10.0))

SOURCE_STYLE = DomainStyle(
    palette={
        ROAD: (88, 86, 92), SIDEWALK: (182, 152, 126), BUILDING: (150, 104, 84),
        WALL: (186, 176, 150), FENCE: (132, 94, 58), POLE: (150, 150, 162), LIGHT: (45, 45, 35),
        SIGN: (235, 200, 40), VEGETATION: (55, 135, 40), TERRAIN: (168, 146, 82),
        SKY: (105, 160, 235), PERSON: (190, 72, 60), RIDER: (150, 40, 170), CAR: (40, 80, 170),
        TRUCK: (200, 190, 175), BUS: (230, 150, 30), TRAIN: (80, 130, 90),
        MOTORCYCLE: (60, 60, 72), BICYCLE: (170, 40, 40), IGNORE: (0, 0, 0),
    },
    textures={
        ROAD: (Texture('grain', 6.0),),
        SIDEWALK: (Texture('grid', 40.0, 9.0), Texture('grain', 5.0)),
        BUILDING: (Texture('windows', 55.0, 9.0), Texture('blotch', 8.0, 16.0)),
        WALL: (Texture('hstripes', 14.0, 4.0),),
        FENCE: (Texture('vstripes', 40.0, 3.0),),
        VEGETATION: _LEAFY,
        TERRAIN: (Texture('grain', 14.0),),
        SKY: (Texture('vgrad', 30.0), Texture('blotch', 10.0, 24.0)),
        CAR: (Texture('vgrad', 25.0),),
        TRUCK: (Texture('vgrad', 20.0),),
        BUS: (Texture('vgrad', 20.0),),
    },
    marking=(2.6, 2.6, 2.6),
    gain=(0.95, 1.1), contrast=(1.0, 1.15), cast=(6.0, 2.0, -6.0), saturation=1.15,
    blur=0.0, noise=1.5, object_scale=1.2,
    cars=(3, 7), persons=(0, 3), riders=(0, 2), poles=(2, 4), trees=(1, 3),
    sides=(0.6, 0.15, 0.1, 0.15),
    p_truck=0.15, p_bus=0.1, p_train=0.05, p_fence=0.35, p_verge=0.3, p_hood=0.0,
)

TARGET_STYLE = DomainStyle(
    palette={
        ROAD: (72, 56, 88), SIDEWALK: (128, 118, 112), BUILDING: (165, 128, 106),
        WALL: (178, 166, 140), FENCE: (150, 108, 78), POLE: (160, 160, 175), LIGHT: (40, 40, 32),
        SIGN: (40, 110, 220), VEGETATION: (235, 185, 60), TERRAIN: (60, 185, 15),
        SKY: (140, 175, 225), PERSON: (200, 88, 88), RIDER: (160, 60, 190),
        CAR: (60, 90, 170), TRUCK: (205, 200, 185), BUS: (230, 170, 50), TRAIN: (90, 140, 110),
        MOTORCYCLE: (62, 60, 72), BICYCLE: (180, 60, 60), IGNORE: (38, 38, 42),
    },
    textures={
        ROAD: (Texture('blotch', 22.0, 10.0), Texture('grain', 8.0)),
        SIDEWALK: (Texture('grain', 6.0),),
        BUILDING: (Texture('windows', 40.0, 6.0), Texture('blotch', 12.0, 8.0)),
        WALL: (Texture('hstripes', 10.0, 6.0), Texture('grain', 6.0)),
        FENCE: (Texture('vstripes', 30.0, 2.0),),
        VEGETATION: _LEAFY,
        TERRAIN: _LEAFY,
        SKY: (Texture('vgrad', 20.0), Texture('blotch', 8.0, 16.0)),
        CAR: (Texture('vgrad', 15.0), Texture('grain', 4.0)),
        TRUCK: (Texture('vgrad', 15.0),),
        BUS: (Texture('vgrad', 15.0),),
    },
    marking=(2.3, 2.1, 1.2),
    gain=(0.8, 0.92), contrast=(0.85, 0.95), cast=(-4.0, 0.0, 6.0), saturation=0.9,
    blur=0.7, noise=5.0, object_scale=0.85,
    cars=(1, 4), persons=(3, 9), riders=(1, 3), poles=(2, 5), trees=(3, 6),
    sides=(0.45, 0.1, 0.3, 0.15),
    p_truck=0.1, p_bus=0.08, p_train=0.05, p_fence=0.4, p_verge=0.5, p_hood=0.6,
)

STYLES = {'source': SOURCE_STYLE, 'target': TARGET_STYLE}


def _palette_lut(style: DomainStyle) -> np.ndarray:
    """Return a (256, 3) float32 lookup table of RGB base colours."""
    lut = np.zeros((256, 3), np.float32)
    for cls, rgb in style.palette.items():
        lut[cls] = rgb
    return lut


_LUTS = {name: _palette_lut(style) for name, style in STYLES.items()}
