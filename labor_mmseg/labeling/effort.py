"""What answering a round costs a person: regions to paint, their outlines, clicks, seconds.

The counts are measured on the pixels a round queries in one image. The seconds are an
estimate: clicks times a published time per click (sources in ``docs/design.md``).
"""
from typing import Any

import cv2
import numpy as np

# Bearman et al., "What's the Point: Semantic Segmentation with Point Supervision" (ECCV
# 2016): one point label takes about 2.4 s. Used for every click (a label, a polygon vertex).
SECONDS_PER_CLICK = 2.4
# Pixels a traced polygon may stray from a region's outline (cv2.approxPolyDP's epsilon).
POLYGON_TOLERANCE = 1.0
EFFORT_FIELDS = ('regions', 'points', 'boundary_pixels', 'vertices', 'clicks', 'seconds')


def mask_effort(mask: np.ndarray) -> dict[str, Any]:
    """The effort of labeling the pixels of a 2-D bool ``mask`` (one image, one round).

    - ``regions``: 8-connected components of more than one pixel, each painted as a polygon;
    - ``points``: components of one pixel, each one click;
    - ``boundary_pixels``: length of the regions' outlines (edges between a region pixel and a
      pixel outside it, holes included);
    - ``vertices``: corners of the outlines traced as polygons within ``POLYGON_TOLERANCE``;
    - ``clicks``: a point is one click, a region one click for its class and one per vertex;
    - ``seconds``: ``clicks * SECONDS_PER_CLICK``, an estimate.
    """
    mask = np.asarray(mask, dtype=bool)
    count, components = cv2.connectedComponents(mask.view(np.uint8), connectivity=8)
    sizes = np.bincount(components.ravel(), minlength=count)[1:]
    single = np.flatnonzero(sizes == 1) + 1
    regions = mask & ~np.isin(components, single)
    padded = np.pad(regions, 1)
    boundary = sum(int((padded != np.roll(padded, 1, axis)).sum()) for axis in (0, 1))
    contours, _ = cv2.findContours(regions.view(np.uint8), cv2.RETR_CCOMP,
                                   cv2.CHAIN_APPROX_NONE)
    vertices = sum(len(cv2.approxPolyDP(c, POLYGON_TOLERANCE, True)) for c in contours)
    num_regions = int((sizes > 1).sum())
    clicks = len(single) + num_regions + vertices
    return dict(regions=num_regions, points=len(single), boundary_pixels=boundary,
                vertices=vertices, clicks=clicks, seconds=clicks * SECONDS_PER_CLICK)


def add_effort(total: dict[str, Any] | None, part: dict[str, Any] | None) -> dict[str, Any] | None:
    """The field-wise sum of two efforts; None when either is unknown (None)."""
    if total is None or part is None:
        return None
    return {name: total[name] + part[name] for name in EFFORT_FIELDS}


def no_effort() -> dict[str, Any]:
    """The effort of an empty round."""
    return dict.fromkeys(EFFORT_FIELDS, 0) | dict(seconds=0.0)
