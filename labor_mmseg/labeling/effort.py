"""What answering a round costs a person: regions to paint, their outlines, clicks, seconds;
or, where the person reviews model A's class proposals, the proposals kept, relabeled or
repainted.

The counts are measured on the pixels a round queries in one image. The seconds are an
estimate: clicks times a published time per click, plus, for a review, proposals times a
published time per verification (sources in ``docs/design.md``).
"""
from typing import Any

import cv2
import numpy as np

from .proposals import Proposals

# Bearman et al., "What's the Point: Semantic Segmentation with Point Supervision" (ECCV
# 2016): one point label takes about 2.4 s. Used for every click (a label, a polygon vertex).
SECONDS_PER_CLICK = 2.4
# Papadopoulos et al., "We don't need no bounding-boxes: Training object class detectors using
# only human verification" (CVPR 2016): a yes/no verification takes about 1.6 s. Used for
# checking each of A's proposals.
SECONDS_PER_CHECK = 1.6
# Changing a proposal's class: one click to select the region, one to pick the class.
RELABEL_CLICKS = 2
# Pixels a traced polygon may stray from a region's outline (cv2.approxPolyDP's epsilon).
POLYGON_TOLERANCE = 1.0
EFFORT_FIELDS = ('regions', 'points', 'boundary_pixels', 'vertices', 'clicks', 'seconds')
REVIEW_FIELDS = ('proposals', 'accepted', 'relabeled', 'repainted', 'skipped', 'clicks',
                 'seconds')


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


def _pixels_effort(ys: np.ndarray, xs: np.ndarray, shape: tuple[int, int]) -> dict[str, Any]:
    """:func:`mask_effort` of the pixels ``(ys, xs)`` of a ``shape`` map, measured on their
    bounding box and a one-pixel margin (the same counts, at the cost of the box)."""
    top, left = max(int(ys.min()) - 1, 0), max(int(xs.min()) - 1, 0)
    mask = np.zeros((min(int(ys.max()) + 2, shape[0]) - top,
                     min(int(xs.max()) + 2, shape[1]) - left), bool)
    mask[ys - top, xs - left] = True
    return mask_effort(mask)


def review_effort(proposals: Proposals, answers: np.ndarray,
                  ignore_index: int = 255) -> dict[str, Any]:
    """The effort of reviewing A's ``proposals`` on one image into its ``answers`` (``HxW``:
    class ids, ``QUERIED_VOID`` (254) for void, which counts as a class of its own, and
    ``ignore_index`` or ``QUERIED_UNANSWERED`` (253) where unanswered, which is not counted).

    Each proposal is checked, then, by the answers at its pixels:

    - ``accepted``: every answered pixel has the proposed class (or none is answered);
    - ``relabeled``: every answered pixel has one other class: ``RELABEL_CLICKS`` clicks;
    - ``repainted``: its answers hold several classes: the :func:`mask_effort` clicks of its
      pixels whose answer differs from the proposal;
    - ``skipped``: no pixel answered (counted in ``accepted`` too: nothing changed), so
      ``accepted - skipped`` of ``proposals - skipped`` proposals were right;
    - ``seconds``: ``proposals * SECONDS_PER_CHECK + clicks * SECONDS_PER_CLICK``, an estimate.

    ValueError when ``answers`` is not a map of the proposals' size.
    """
    from .label_store import QUERIED_UNANSWERED  # here: the store imports this module
    answers = np.asarray(answers)
    if answers.shape != proposals.ids.shape:
        raise ValueError(f'answers {answers.shape} and proposals {proposals.ids.shape} must be '
                         'two maps of one size')
    n = len(proposals)
    answered = (proposals.ids > 0) & ~np.isin(answers, (ignore_index, QUERIED_UNANSWERED))
    ys, xs = np.nonzero(answered)
    owner = proposals.ids[ys, xs].astype(np.int64) - 1
    values = answers[ys, xs].astype(np.int64)
    wrong = values != proposals.classes[owner]
    num_answered = np.bincount(owner, minlength=n)
    num_wrong = np.bincount(owner[wrong], minlength=n)
    distinct = np.bincount(np.unique(np.stack([owner, values]), axis=1)[0], minlength=n)
    relabeled = (num_wrong > 0) & (num_wrong == num_answered) & (distinct == 1)
    repainted = (num_wrong > 0) & ~relabeled
    mine = wrong & repainted[owner]
    order = np.argsort(owner[mine], kind='stable')
    ys, xs, owner = ys[mine][order], xs[mine][order], owner[mine][order]
    cuts = np.flatnonzero(np.diff(owner)) + 1
    repaint_clicks = sum(_pixels_effort(y, x, answers.shape)['clicks']
                         for y, x in zip(np.split(ys, cuts), np.split(xs, cuts), strict=True)
                         if y.size)
    clicks = RELABEL_CLICKS * int(relabeled.sum()) + repaint_clicks
    return dict(proposals=n, accepted=int((num_wrong == 0).sum()),
                relabeled=int(relabeled.sum()), repainted=int(repainted.sum()),
                skipped=int((num_answered == 0).sum()), clicks=clicks,
                seconds=n * SECONDS_PER_CHECK + clicks * SECONDS_PER_CLICK)


def add_effort(total: dict[str, Any] | None, part: dict[str, Any] | None,
               fields: tuple[str, ...] = EFFORT_FIELDS) -> dict[str, Any] | None:
    """The field-wise sum of two efforts (``fields``: ``EFFORT_FIELDS``, or ``REVIEW_FIELDS``
    for reviews); None when either is unknown (None)."""
    if total is None or part is None:
        return None
    return {name: total[name] + part[name] for name in fields}


def no_effort(fields: tuple[str, ...] = EFFORT_FIELDS) -> dict[str, Any]:
    """The effort (``fields``: ``EFFORT_FIELDS`` or ``REVIEW_FIELDS``) of an empty round."""
    return dict.fromkeys(fields, 0) | dict(seconds=0.0)
