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

import inspect
import json
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import cv2
import numpy as np

try:
    from tqdm import tqdm
except ImportError:  # progress bars are optional
    tqdm = None

GENERATOR_VERSION = 1

CLASSES = (
    'road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light', 'traffic sign',
    'vegetation', 'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'train',
    'motorcycle', 'bicycle',
)
(ROAD, SIDEWALK, BUILDING, WALL, FENCE, POLE, LIGHT, SIGN, VEGETATION, TERRAIN, SKY, PERSON,
 RIDER, CAR, TRUCK, BUS, TRAIN, MOTORCYCLE, BICYCLE) = range(len(CLASSES))
IGNORE = 255

DOMAINS = ('source', 'target')
TRAIN_CITIES = ('aachen', 'bremen', 'zurich')
VAL_CITIES = ('frankfurt', 'lindau')

Tint = tuple[float, float, float]
_WHITE: Tint = (1.0, 1.0, 1.0)
_DARK: Tint = (0.25, 0.25, 0.28)
_GLASS: Tint = (0.35, 0.42, 0.55)
_T_NEAR = 3.0  # depth parameter far enough in front of the camera to be off-screen
_GENERATOR = 'labor_mmseg.datasets.synthetic'
_OUTPUT_DIRS = ('gta/images', 'gta/labels', 'cityscapes/leftImg8bit', 'cityscapes/gtFine')


@dataclass(frozen=True)
class Texture:
    """A luminance texture added to a class: ``kind`` in ``_texture``, amplitude, period (px)."""

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


class _Canvas:
    """A label map and a multiplicative RGB tint map drawn with the same primitives."""

    def __init__(self, height: int, width: int) -> None:
        self.label = np.full((height, width), SKY, np.uint8)
        self.tint = np.ones((height, width, 3), np.float32)

    def poly(self, pts: Sequence[tuple[float, float]], cls: int, tint: Tint = _WHITE) -> None:
        """Fill a polygon with a class and a tint."""
        p = [np.round(np.asarray(pts, np.float64)).astype(np.int32)]
        cv2.fillPoly(self.label, p, int(cls))
        cv2.fillPoly(self.tint, p, tint)

    def shade(self, pts: Sequence[tuple[float, float]], tint: Tint) -> None:
        """Change the tint inside a polygon without touching the labels (windows, markings)."""
        cv2.fillPoly(self.tint, [np.round(np.asarray(pts, np.float64)).astype(np.int32)], tint)

    def rect(self, x0: float, y0: float, x1: float, y1: float, cls: int,
             tint: Tint = _WHITE) -> None:
        """Fill an axis-aligned rectangle."""
        self.poly([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], cls, tint)

    def disc(self, cx: float, cy: float, r: float, cls: int, tint: Tint = _WHITE,
             thickness: int = -1) -> None:
        """Draw a filled disc (or a ring when ``thickness`` > 0)."""
        c, rad = (round(cx), round(cy)), max(1, round(r))
        cv2.circle(self.label, c, rad, int(cls), thickness)
        cv2.circle(self.tint, c, rad, tint, thickness)

    def line(self, p0: tuple[float, float], p1: tuple[float, float], width: float, cls: int,
             tint: Tint = _WHITE) -> None:
        """Draw a straight segment at least one pixel wide."""
        a, b, th = (round(p0[0]), round(p0[1])), (round(p1[0]), round(p1[1])), max(1, round(width))
        cv2.line(self.label, a, b, int(cls), th)
        cv2.line(self.tint, a, b, tint, th)


@dataclass(frozen=True)
class _Street:
    """Perspective of a straight street: depth parameter ``t`` is 0 at the horizon, 1 at the
    bottom row, and world lengths at depth ``t`` measure ``k * t`` px."""

    h: int
    w: int
    horizon: float
    vx: float  # vanishing point column
    k: float
    road: float  # half-width of the road (world units)
    walk: float  # sidewalk width
    verge: float  # terrain strip between sidewalk and the side of the street

    def at(self, x: float, t: float, up: float = 0.0) -> tuple[float, float]:
        """Pixel position of world point (lateral ``x``, depth ``t``, height ``up``)."""
        return self.vx + x * self.k * t, self.horizon + (self.h - self.horizon - up * self.k) * t

    def wedge(self, cv: _Canvas, x: float, t0: float, t1: float, height: float, cls: int,
              tint: Tint = _WHITE) -> None:
        """Draw a vertical plane along the street at lateral ``x`` between depths t0 and t1."""
        cv.poly([self.at(x, t0), self.at(x, t1), self.at(x, t1, height), self.at(x, t0, height)],
                cls, tint)


def _rand_tint(rng: np.random.Generator, lo: float, hi: float) -> Tint:
    r, g, b = rng.uniform(lo, hi, 3)
    return float(r), float(g), float(b)


def _draw_skyline(cv: _Canvas, st: _Street, rng: np.random.Generator) -> None:
    """Distant buildings, walls and trees along the horizon."""
    x = -rng.uniform(0.0, 0.1) * st.w
    while x < st.w:
        bw = st.w * rng.uniform(0.05, 0.18)
        u = rng.random()
        if u < 0.75:
            top = st.horizon - st.h * rng.uniform(0.06, 0.3)
            cv.rect(x, top, x + bw, st.horizon + 1, BUILDING, _rand_tint(rng, 0.8, 1.2))
        elif u < 0.85:
            cv.rect(x, st.horizon - st.h * rng.uniform(0.02, 0.05), x + bw, st.horizon + 1, WALL)
        elif u < 0.95:
            for _ in range(3):
                cx = x + bw * rng.random()
                cv.disc(cx, st.horizon - st.h * rng.uniform(0.0, 0.06), st.h * 0.04, VEGETATION)
        x += bw


def _draw_side(cv: _Canvas, st: _Street, rng: np.random.Generator, style: DomainStyle,
               side: int) -> None:
    """Sidewalk, optional fence, and the building/wall/hedge line on one side of the street."""
    inner, kerb = side * st.road, side * (st.road + st.walk)
    edge = side * (st.road + st.walk + st.verge)
    cv.poly([st.at(inner, 0.0), st.at(inner, _T_NEAR), st.at(kerb, _T_NEAR), st.at(kerb, 0.0)],
            SIDEWALK)
    kind = rng.choice(4, p=style.sides)
    t_end = rng.uniform(0.03, 0.25)
    if kind == 0:
        st.wedge(cv, edge, t_end, _T_NEAR, rng.uniform(3.0, 10.0), BUILDING,
                 _rand_tint(rng, 0.8, 1.2))
    elif kind == 1:
        st.wedge(cv, edge, t_end, _T_NEAR, rng.uniform(0.8, 2.0), WALL)
    elif kind == 2:
        st.wedge(cv, edge, t_end, _T_NEAR, rng.uniform(1.0, 3.5), VEGETATION,
                 _rand_tint(rng, 0.85, 1.15))
    if rng.random() < style.p_fence:
        t0 = rng.uniform(0.05, 0.4)
        st.wedge(cv, kerb, t0, t0 + rng.uniform(0.2, 1.5), rng.uniform(0.8, 1.3), FENCE)


def _draw_road(cv: _Canvas, st: _Street, rng: np.random.Generator, style: DomainStyle) -> None:
    """Road surface with a dashed centre line and optional edge lines."""
    cv.poly([st.at(-st.road, 0.0), st.at(-st.road, _T_NEAR), st.at(st.road, _T_NEAR),
             st.at(st.road, 0.0)], ROAD)
    half, period = 0.08, rng.uniform(2.0, 4.0)
    z = rng.uniform(0.5, 1.0)
    while z < 40.0:
        t0, t1 = 1.0 / z, 1.0 / (z + 0.5 * period)
        cv.shade([st.at(-half, t0), st.at(half, t0), st.at(half, t1), st.at(-half, t1)],
                 style.marking)
        z += period
    if rng.random() < 0.5:
        for side in (-1, 1):
            a, b = side * (st.road - 0.15), side * (st.road - 0.3)
            cv.shade([st.at(a, 0.0), st.at(a, _T_NEAR), st.at(b, _T_NEAR), st.at(b, 0.0)],
                     style.marking)


def _draw_car(cv: _Canvas, x: float, yb: float, s: float, rng: np.random.Generator) -> None:
    """A car seen from behind; ``s`` is px per world unit."""
    hw, body = 0.9 * s, _rand_tint(rng, 0.6, 1.4)
    for sx in (-1, 1):
        cv.rect(x + sx * 0.85 * s, yb - 0.3 * s, x + sx * 0.5 * s, yb, CAR, _DARK)
    cv.rect(x - hw, yb - 0.95 * s, x + hw, yb - 0.2 * s, CAR, body)
    top = yb - 1.45 * s
    cv.poly([(x - 0.8 * hw, yb - 0.95 * s), (x + 0.8 * hw, yb - 0.95 * s),
             (x + 0.6 * hw, top), (x - 0.6 * hw, top)], CAR, body)
    cv.shade([(x - 0.68 * hw, yb - 1.0 * s), (x + 0.68 * hw, yb - 1.0 * s),
              (x + 0.52 * hw, top + 0.08 * s), (x - 0.52 * hw, top + 0.08 * s)], _GLASS)
    for sx in (-1, 1):
        xa = x + sx * 0.9 * hw
        cv.shade([(xa, yb - 0.8 * s), (xa - sx * 0.3 * s, yb - 0.8 * s),
                  (xa - sx * 0.3 * s, yb - 0.65 * s), (xa, yb - 0.65 * s)], (2.5, 0.5, 0.5))


def _draw_big_vehicle(cv: _Canvas, x: float, yb: float, s: float, rng: np.random.Generator,
                      cls: int) -> None:
    """A truck or a bus seen from behind."""
    hw, height = 1.25 * s, rng.uniform(2.6, 3.2) * s
    for sx in (-1, 1):
        cv.rect(x + sx * 1.15 * s, yb - 0.4 * s, x + sx * 0.7 * s, yb, cls, _DARK)
    cv.rect(x - hw, yb - height, x + hw, yb - 0.3 * s, cls, _rand_tint(rng, 0.8, 1.2))
    if cls == BUS:
        cv.shade([(x - 0.9 * hw, yb - 0.9 * height), (x + 0.9 * hw, yb - 0.9 * height),
                  (x + 0.9 * hw, yb - 0.55 * height), (x - 0.9 * hw, yb - 0.55 * height)], _GLASS)
    else:
        cv.shade([(x - 0.05 * s, yb - height), (x + 0.05 * s, yb - height),
                  (x + 0.05 * s, yb - 0.3 * s), (x - 0.05 * s, yb - 0.3 * s)], _DARK)


def _draw_person(cv: _Canvas, x: float, yb: float, s: float, rng: np.random.Generator) -> None:
    """A standing or walking pedestrian."""
    hgt = 1.75 * s * rng.uniform(0.9, 1.1)
    shirt, pants = _rand_tint(rng, 0.5, 1.5), _rand_tint(rng, 0.3, 0.9)
    stride = rng.uniform(-0.12, 0.12) * hgt
    hip, shoulder = yb - 0.48 * hgt, yb - 0.8 * hgt
    for sx in (-1, 1):
        cv.line((x + sx * 0.05 * hgt, hip), (x + sx * stride, yb), 0.1 * hgt, PERSON, pants)
        cv.line((x + sx * 0.14 * hgt, shoulder), (x + sx * 0.17 * hgt, yb - 0.45 * hgt),
                0.07 * hgt, PERSON, shirt)
    cv.rect(x - 0.13 * hgt, shoulder, x + 0.13 * hgt, hip, PERSON, shirt)
    cv.disc(x, yb - 0.9 * hgt, 0.1 * hgt, PERSON, _rand_tint(rng, 0.8, 1.3))


def _draw_rider(cv: _Canvas, x: float, yb: float, s: float, rng: np.random.Generator,
                motor: bool, facing: int) -> None:
    """A rider on a bicycle or a motorcycle, seen from the side."""
    r = (0.33 if motor else 0.35) * s
    back, front = (x - facing * 0.6 * s, yb - r), (x + facing * 0.6 * s, yb - r)
    seat = (x - facing * 0.2 * s, yb - r - 0.5 * s)
    bar = (x + facing * 0.45 * s, yb - r - 0.6 * s)
    if motor:
        for c in (back, front):
            cv.disc(*c, r, MOTORCYCLE, _DARK)
        cv.poly([back, (seat[0], seat[1] + 0.1 * s), (bar[0], bar[1] + 0.15 * s), front],
                MOTORCYCLE, _rand_tint(rng, 0.6, 1.4))
    else:
        for c in (back, front):
            cv.disc(*c, r, BICYCLE, thickness=max(1, round(0.08 * s)))
        frame = max(1.0, 0.07 * s)
        cv.line(back, (x, yb - r), frame, BICYCLE)
        cv.line((x, yb - r), front, frame, BICYCLE)
        cv.line((x, yb - r), seat, frame, BICYCLE)
        cv.line(front, bar, frame, BICYCLE)
    clothes = _rand_tint(rng, 0.5, 1.5)
    shoulder = (x + facing * 0.1 * s, seat[1] - 0.65 * s)
    cv.line(seat, (x + facing * 0.05 * s, yb - r), 0.16 * s, RIDER, clothes)
    cv.line(seat, shoulder, 0.3 * s, RIDER, clothes)
    cv.line(shoulder, bar, 0.1 * s, RIDER, clothes)
    cv.disc(shoulder[0], shoulder[1] - 0.18 * s, 0.15 * s, RIDER, _rand_tint(rng, 0.7, 1.3))


def _draw_pole(cv: _Canvas, x: float, yb: float, s: float, rng: np.random.Generator,
               side: int) -> None:
    """A thin pole carrying a traffic sign and/or a traffic light (possibly on an arm)."""
    top = yb - rng.uniform(3.8, 5.0) * s
    cv.line((x, yb), (x, top), 0.12 * s, POLE)
    u = rng.random()
    if u < 0.65:
        cy, size = yb - rng.uniform(2.2, 3.0) * s, 0.32 * s
        cx = x - side * 0.3 * s
        shape = rng.integers(3)
        if shape == 0:
            cv.rect(cx - size, cy - size, cx + size, cy + size, SIGN)
        elif shape == 1:
            cv.disc(cx, cy, size, SIGN)
        else:
            cv.poly([(cx - size, cy - size), (cx + size, cy - size), (cx, cy + size)], SIGN)
    if u > 0.4:
        lx = x
        if rng.random() < 0.4:
            lx = x - side * rng.uniform(1.0, 2.0) * s
            cv.line((x, top), (lx, top), 0.1 * s, POLE)
        cv.rect(lx - 0.15 * s, top, lx + 0.15 * s, top + 0.8 * s, LIGHT)
        lit = rng.integers(3)
        glow = ((3.0, 0.6, 0.6), (3.0, 2.2, 0.5), (0.6, 3.0, 1.2))[lit]
        cy = top + (0.15 + 0.25 * lit) * s
        cv.shade([(lx - 0.1 * s, cy - 0.09 * s), (lx + 0.1 * s, cy - 0.09 * s),
                  (lx + 0.1 * s, cy + 0.09 * s), (lx - 0.1 * s, cy + 0.09 * s)], glow)


def _draw_tree(cv: _Canvas, x: float, yb: float, s: float, rng: np.random.Generator) -> None:
    """A street tree: trunk and a crown of overlapping discs (all vegetation)."""
    tint = _rand_tint(rng, 0.85, 1.15)
    cv.line((x, yb), (x, yb - 2.4 * s), 0.25 * s, VEGETATION, (0.6, 0.55, 0.5))
    for _ in range(rng.integers(3, 6)):
        cv.disc(x + rng.uniform(-0.7, 0.7) * s, yb - rng.uniform(2.4, 3.6) * s,
                rng.uniform(0.7, 1.3) * s, VEGETATION, tint)


def _draw_train(cv: _Canvas, st: _Street, rng: np.random.Generator) -> None:
    """A distant train crossing the view at the horizon."""
    x0 = st.w * rng.uniform(-0.2, 0.4)
    x1 = x0 + st.w * rng.uniform(0.3, 0.6)
    top = st.horizon - st.h * rng.uniform(0.06, 0.1)
    cv.rect(x0, top, x1, st.horizon + 1, TRAIN, _rand_tint(rng, 0.8, 1.2))
    hgt = st.horizon - top
    cv.shade([(x0, top + 0.2 * hgt), (x1, top + 0.2 * hgt), (x1, top + 0.5 * hgt),
              (x0, top + 0.5 * hgt)], _GLASS)


def _scene_objects(st: _Street, rng: np.random.Generator,
                   style: DomainStyle) -> list[tuple[float, float, Callable[..., None]]]:
    """Sample (depth, lateral position, draw function) for every foreground object."""
    items: list[tuple[float, float, Callable[..., None]]] = []

    def count(lo_hi: tuple[int, int]) -> int:
        return int(rng.integers(lo_hi[0], lo_hi[1] + 1))

    def side() -> int:
        return int(rng.choice((-1, 1)))

    for _ in range(count(style.cars)):
        lanes = (-0.5 * st.road, 0.5 * st.road, -(st.road - 1.0), st.road - 1.0)
        x, t = lanes[rng.integers(4)] + rng.uniform(-0.3, 0.3), rng.uniform(0.1, 0.75)
        u = rng.random()
        if u < style.p_truck:
            draw = partial(_draw_big_vehicle, cls=TRUCK)
        elif u < style.p_truck + style.p_bus:
            draw = partial(_draw_big_vehicle, cls=BUS)
        else:
            draw = _draw_car
        items.append((t, x, draw))
    for _ in range(count(style.persons)):
        t = rng.uniform(0.1, 0.85)
        if rng.random() < 0.15:
            x = rng.uniform(-st.road, st.road)
        else:
            x = side() * (st.road + rng.uniform(0.3, max(0.4, st.walk - 0.3)))
        items.append((t, x, _draw_person))
    for _ in range(count(style.riders)):
        sd = side()
        x, t = sd * (st.road - rng.uniform(0.4, 1.2)), rng.uniform(0.12, 0.8)
        items.append((t, x, partial(_draw_rider, motor=bool(rng.random() < 0.4), facing=side())))
    for _ in range(count(style.poles)):
        sd = side()
        items.append((rng.uniform(0.08, 0.9), sd * (st.road + 0.35), partial(_draw_pole, side=sd)))
    for _ in range(count(style.trees)):
        x = side() * (st.road + st.walk + (0.5 * st.verge if st.verge else -0.4))
        items.append((rng.uniform(0.08, 0.8), x, _draw_tree))
    return items


def _draw_scene(rng: np.random.Generator, style: DomainStyle, height: int,
                width: int) -> _Canvas:
    """Sample a street layout and draw its labels and tints, far to near."""
    horizon = height * rng.uniform(0.36, 0.48)
    st = _Street(
        h=height, w=width, horizon=horizon, vx=width * rng.uniform(0.4, 0.6),
        k=(height - horizon) / rng.uniform(2.2, 2.8),
        road=rng.uniform(3.0, 4.5), walk=rng.uniform(1.8, 3.2),
        verge=rng.uniform(0.5, 2.5) if rng.random() < style.p_verge else 0.0,
    )
    cv = _Canvas(height, width)
    _draw_skyline(cv, st, rng)
    if rng.random() < style.p_train:
        _draw_train(cv, st, rng)
    cv.rect(0, horizon, width, height, TERRAIN)
    for sd in (-1, 1):
        _draw_side(cv, st, rng, style, sd)
    _draw_road(cv, st, rng, style)
    items = _scene_objects(st, rng, style)
    for t, x, draw in sorted(items, key=lambda item: item[0]):
        px, py = st.at(x, t)
        draw(cv, px, py, st.k * t * style.object_scale * rng.uniform(0.9, 1.1), rng)
    if rng.random() < style.p_hood:
        cv2.ellipse(cv.label, (width // 2, round(height * 1.05)),
                    (round(0.75 * width), round(rng.uniform(0.1, 0.18) * height)),
                    0, 180, 360, IGNORE, -1)
    return cv


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
