"""Sample a street layout from a domain style and draw it, far to near, as a label map plus a
per-pixel RGB tint map."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np

from .styles import (
    BICYCLE,
    BUILDING,
    BUS,
    CAR,
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
    TERRAIN,
    TRAIN,
    TRUCK,
    VEGETATION,
    WALL,
    DomainStyle,
    Tint,
)

_WHITE: Tint = (1.0, 1.0, 1.0)
_DARK: Tint = (0.25, 0.25, 0.28)
_GLASS: Tint = (0.35, 0.42, 0.55)
_T_NEAR = 3.0  # depth parameter far enough in front of the camera to be off-screen


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
