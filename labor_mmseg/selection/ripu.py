"""RIPU's selection (Xie et al., CVPR 2022): region impurity x prediction uncertainty, on B's mean
prediction, with RIPU's greedy pick-and-block loop replaced by vectorised equivalents."""

import math

import torch
from torch import Tensor

from ..registry import SELECTION_STRATEGIES
from .primitives import (
    check_selection_inputs,
    class_argmax,
    index_mask,
    pixel_chunks,
)


@SELECTION_STRATEGIES.register_module(name='ripu_regions')
def select_ripu_regions(prob1: Tensor, prob2: Tensor, budget: int, labeled: Tensor | None = None,
                        radius: int = 1) -> Tensor:
    """Region-based annotation of RIPU: whole ``(2r+1) x (2r+1)`` windows of highest score.

    Each pixel centres a window (clipped at the image border, as RIPU's zero padding and
    slicing do); its score is the region impurity (entropy of the histogram of B's classes in
    the window) times the prediction uncertainty (mean pixel entropy in the window), both over
    ``log C``, as RIPU's code scores regions. Windows holding a labeled pixel are no
    candidates: for labels bought by earlier rounds this is RIPU's blocking of the centres
    within ``2r`` of an earlier centre. The windows are taken as RIPU's greedy loop takes them
    (best first, every window overlapping a taken one dropped; ties to the lowest row-major
    centre), computed without a loop over picks (:func:`greedy_windows`), for as long as the
    next one fits in ``budget``.

    Args:
        prob1, prob2: ``[C, H, W]`` softmax maps of model B's two classifiers.
        budget: the most pixels to select, > 0.
        labeled: ``BoolTensor[H, W]`` of pixels already labeled, never selected again.
        radius: ``r``, the window's half size (RIPU's ``RADIUS_K``, 1 for its region budgets).

    Returns:
        ``BoolTensor[H, W]``: the union of the taken windows, non-overlapping, at most
        ``budget`` pixels (less by under one window, or when candidates run out).
    """
    labeled = check_selection_inputs(prob1, prob2, budget, labeled)
    check_radius('radius', radius)
    labels, entropy = mean_prediction_maps(prob1, prob2)
    count = window_pixels(labeled.shape, radius, entropy.dtype).to(entropy.device)
    score = window_impurity(labels, radius, prob1.shape[0], count)
    first, *rest = window_views(entropy, radius, 0)
    score *= sum(rest, first.clone()).div_(count)  # the windows' mean entropy
    free = ~(box_sum(labeled, radius) > 0) if labeled.any() else torch.ones_like(labeled)
    num_free, pool = int(free.sum()), 2 * budget
    while True:  # the greedy picks of the pool are RIPU's if they exhaust the budget
        order = pool_order(score, free, pool)
        taken = order[greedy_windows(order, labeled.shape, 2 * radius)]
        sizes = count.view(-1)[taken].round().long()
        if order.numel() == num_free or sizes.sum() > budget:
            break
        pool *= 4
    pixels, inside = square_neighbours(taken[sizes.cumsum(0) <= budget], labeled.shape, radius)
    return index_mask(pixels[inside], labeled.shape)


@SELECTION_STRATEGIES.register_module(name='ripu_pixels')
def select_ripu_pixels(prob1: Tensor, prob2: Tensor, budget: int, labeled: Tensor | None = None,
                       cell_size: int = 13, purity_cells: int = 5,
                       block_radius: int = 32) -> Tensor:
    """Pixel-based annotation of RIPU: the ``budget`` pixels of highest impurity x entropy.

    A pixel's score is its entropy times the impurity of a large window, both over ``log C``
    (RIPU's pixel variant: a 65 x 65 purity window, ``RADIUS_K`` = 32). The window is snapped
    to a grid: the image is cut into ``cell_size``-pixel square cells (from the top left) and a
    pixel takes the impurity of the ``purity_cells x purity_cells`` cells around its own, one
    bincount instead of a per-class box filter at every pixel (the default 13 x 5 = 65 pixels
    is RIPU's size, centred up to 6 pixels off; ``cell_size=1`` is RIPU's exact window). Picks
    are RIPU's greedy ones: best first, then every pixel within ``block_radius`` (Chebyshev) of
    it is blocked; a pixel within ``block_radius`` of a labeled one is no candidate (RIPU's
    blocking across rounds). Ties go to the lowest row-major index.

    Args:
        prob1, prob2: ``[C, H, W]`` softmax maps of model B's two classifiers.
        budget: the number of points to select, > 0.
        labeled: ``BoolTensor[H, W]`` of pixels already labeled, never selected again.
        cell_size: side of the grid cells the purity window is snapped to, >= 1.
        purity_cells: the purity window's side in cells, odd.
        block_radius: picks keep more than this Chebyshev distance from each other and from
            the labeled pixels, >= 0.

    Returns:
        ``BoolTensor[H, W]`` with ``min(budget, #greedy picks)`` pixels set.
    """
    labeled = check_selection_inputs(prob1, prob2, budget, labeled)
    check_radius('cell_size', cell_size, low=1)
    check_radius('purity_cells', purity_cells, low=1)
    if purity_cells % 2 == 0:
        raise ValueError(f'purity_cells must be odd, got {purity_cells}')
    check_radius('block_radius', block_radius)
    num_classes, height, width = prob1.shape
    labels, score = mean_prediction_maps(prob1, prob2)
    score *= cell_impurity(labels, num_classes, cell_size, purity_cells // 2)
    free = (~(box_sum(labeled, block_radius) > 0) if labeled.any()
            else torch.ones_like(labeled))
    num_free, pool = int(free.sum()), 64 * budget
    while True:  # the greedy picks of the pool are RIPU's if there are budget of them
        order = pool_order(score, free, pool)
        taken = greedy_points(order, width, block_radius, budget)
        if order.numel() == num_free or taken.numel() == budget:
            return index_mask(taken, labeled.shape)
        pool *= 4


def check_radius(name: str, value: int, low: int = 0) -> None:
    """Raise ``ValueError`` unless ``value`` is an int >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f'{name} must be an int >= {low}, got {value!r}')


def mean_prediction_maps(prob1: Tensor, prob2: Tensor) -> tuple[Tensor, Tensor]:
    """B's class (argmax of the mean prediction, first maximum on ties) and the mean
    prediction's entropy over ``log C``, both ``[H, W]``, in :data:`CACHE_PIXELS` chunks (no
    ``[C, H, W]`` temporary; the entropy in float32 or wider)."""
    num_classes, height, width = prob1.shape
    dtype = torch.promote_types(prob1.dtype, torch.float32)
    labels = torch.empty(height * width, dtype=torch.long, device=prob1.device)
    entropy = torch.empty(height * width, dtype=dtype, device=prob1.device)
    tiny = torch.finfo(dtype).tiny
    for start, (part1, part2) in pixel_chunks([prob1, prob2], None, CACHE_PIXELS):
        mean = (part1 + part2).to(dtype).div_(2)
        stop = start + mean.shape[1]
        labels[start:stop] = class_argmax(mean.unsqueeze(1)).view(-1)
        entropy[start:stop] = mean.clamp_min(tiny).log_().mul_(mean).sum(dim=0)
    entropy.div_(-math.log(num_classes) if num_classes > 1 else -1.0)
    return labels.view(height, width), entropy.view(height, width)


def box_sum(x: Tensor, radius: int) -> Tensor:
    """int64 sums of the integer (or bool) ``x`` over the ``(2r+1) x (2r+1)`` windows of its
    last two dimensions, zero outside: cumulative sums, one pass per dimension for any ``r``."""
    out = x.long()
    for dim in (-2, -1):
        n = out.shape[dim]
        ends = torch.arange(n, device=x.device)
        total = torch.cat([torch.zeros_like(out.narrow(dim, 0, 1)), out.cumsum(dim)], dim)
        out = (total.index_select(dim, (ends + radius + 1).clamp(max=n))
               - total.index_select(dim, (ends - radius).clamp(min=0)))
    return out


def window_views(x: Tensor, radius: int, fill: int) -> list[Tensor]:
    """The ``(2r+1)^2`` shifts of the ``[H, W]`` map ``x`` over a window, row-major: views of
    one copy of ``x`` padded with ``fill``."""
    size, (height, width) = 2 * radius + 1, x.shape
    padded = x.new_full((height + 2 * radius, width + 2 * radius), fill)
    padded[radius:radius + height, radius:radius + width] = x
    return [padded[i:i + height, j:j + width] for i in range(size) for j in range(size)]


def window_pixels(shape: torch.Size, radius: int, dtype: torch.dtype) -> Tensor:
    """``[H, W]``: how many image pixels each pixel's ``(2r+1) x (2r+1)`` window holds."""
    rows, cols = (torch.arange(n).add(radius).clamp(max=n - 1)
                  - torch.arange(n).sub(radius).clamp(min=0) + 1 for n in shape)
    return (rows[:, None] * cols[None, :]).to(dtype)


def window_impurity(labels: Tensor, radius: int, num_classes: int, count: Tensor) -> Tensor:
    """RIPU's region impurity of each pixel's ``(2r+1) x (2r+1)`` window of ``labels``: the
    entropy of its class histogram over ``log C`` (``count``: the window's image pixels).

    With ``n_j`` the number of the window's pixels that share pixel ``j``'s class, ``sum_c n_c
    log n_c = sum_j log n_j``, so ``N`` times the entropy is ``N log N - log prod_j n_j`` over
    the ``N`` image pixels. The ``n_j`` come from comparing the window's pixels pairwise on
    shifted views of the class map (``(2r+1)^4 / 2`` byte comparisons per pixel, independent
    of ``C``); the image is padded with one extra class that only the ``p`` padding pixels
    share, whose ``p log p`` is added back. The products are exact integers in float64 (in
    groups below ``2^53``: one for ``r = 1``), so one log per pixel instead of one per window
    pixel, and windows of equal histograms get equal bits; a pure window gets 0 exactly.
    """
    code = torch.uint8 if num_classes < 255 else torch.int32
    views = window_views(labels.to(code), radius, num_classes)
    counts = torch.uint8 if len(views) < 256 else torch.int32  # a window's pixels fit
    group = 53 // max(1, (len(views) - 1).bit_length())  # factors <= len(views): exact
    scale = math.log(num_classes) if num_classes > 1 else 1.0
    impurity = torch.empty_like(count)
    step = max(1, IMPURITY_PIXELS // labels.shape[1])
    for top in range(0, labels.shape[0], step):  # blocks of rows: the temporaries stay in cache
        rows = slice(top, top + step)
        block = [view[rows] for view in views]
        same = [torch.ones_like(block[0], dtype=counts) for _ in block]
        for a, view in enumerate(block):
            for b in range(a + 1, len(block)):
                equal = (view == block[b]).view(torch.uint8)  # a view: no conversion copy
                same[a] += equal
                same[b] += equal
        n = count[rows].double()
        pad = len(views) - n
        total = n.log().mul_(n).add_(pad.clamp_min(1).log_().mul_(pad))  # 0 log 0 = 0
        for first in range(0, len(same), group):
            product = same[first].double()
            for factor in same[first + 1:first + group]:
                product *= factor
            total -= product.log_()
        total.masked_fill_(same[len(same) // 2] == n, 0)  # the centre's class fills the window
        impurity[rows] = total.div_(n).div_(scale)  # n may be count itself: not in place
    return impurity


def cell_impurity(labels: Tensor, num_classes: int, cell_size: int, radius: int) -> Tensor:
    """``[H, W]``: the impurity (over ``log C``) of the ``(2r+1) x (2r+1)`` cells of side
    ``cell_size`` around each pixel's cell, from one bincount of the classes per cell."""
    height, width = labels.shape
    rows, cols = -(-height // cell_size), -(-width // cell_size)
    device = labels.device
    cell = ((torch.arange(height, device=device) // cell_size)[:, None] * cols
            + (torch.arange(width, device=device) // cell_size)[None, :])
    hist = torch.bincount((cell * num_classes + labels).view(-1),
                          minlength=rows * cols * num_classes)
    window = box_sum(hist.view(rows, cols, num_classes).permute(2, 0, 1), radius).double()
    share = window / window.sum(dim=0)
    impurity = -torch.xlogy(share, share).sum(dim=0)
    impurity /= math.log(num_classes) if num_classes > 1 else 1.0
    return impurity.float().view(-1)[cell]


def pool_order(score: Tensor, free: Tensor, size: int) -> Tensor:
    """Flat indices of the ``free`` pixels of ``score`` at or above a threshold, best first
    (ties: lowest index); the threshold is the ``size``-th best of an evenly strided sample, so
    about ``size`` pixels (a top-k over every pixel costs more than the rest of the selection).

    Greedy picks only block worse pixels, so RIPU's greedy run on such a pool makes the same
    picks as on every pixel for as long as they last.
    """
    score, free = score.view(-1), free.view(-1)
    stride = max(1, score.numel() // SAMPLE)
    sample = score[::stride][free[::stride]]
    pick = max(1, size // stride)
    if pick >= sample.numel():  # the pool would hold the whole sample: take every free pixel
        pool = free.nonzero().squeeze(1)
    else:
        pool = ((score >= sample.topk(pick).values.min()) & free).nonzero().squeeze(1)
    return pool[score[pool].sort(descending=True, stable=True).indices]


SAMPLE = 1 << 16  # pixels sampled for pool_order's threshold
CACHE_PIXELS = 1 << 13  # pixels per chunk of the full-map passes: 0.6 MB per 19-class temporary
IMPURITY_PIXELS = 1 << 16  # pixels per block of window_impurity's byte compares (fewer op calls)


def greedy_windows(order: Tensor, shape: torch.Size, distance: int) -> Tensor:
    """``BoolTensor[M]``: which of the pixels ``order`` (flat indices, best first) greedy
    suppression picks, each dropping every later pixel within Chebyshev ``distance``.

    Parallel rounds instead of one pick at a time: a pixel is picked once every better pixel
    within ``distance`` is dropped, and dropped once one of them is picked. Each round decides
    at least the best undecided pixel, so it ends; the picks are the sequential loop's. Rounds
    are few (chains of ever better neighbours are short); each is a few ops on the edges, found
    with a rank map and the ``(2d+1)^2 - 1`` neighbour offsets.
    """
    device = order.device
    rank = torch.full((shape.numel(),), -1, dtype=torch.long, device=device)
    rank[order] = torch.arange(order.numel(), device=device)
    pixels, inside = square_neighbours(order, shape, distance)
    better = torch.where(inside, rank[pixels], -1)
    mine = torch.arange(order.numel(), device=device)[:, None].expand_as(better)
    keep = (better >= 0) & (better < mine)
    node, other = mine[keep], better[keep]
    picked = torch.zeros(order.numel(), dtype=torch.bool, device=device)
    dropped = torch.zeros_like(picked)
    while True:
        undecided = ~(picked | dropped)
        if not undecided.any():
            return picked
        waits = torch.zeros_like(picked).index_fill_(0, node[~dropped[other]], True)
        hit = torch.zeros_like(picked).index_fill_(0, node[picked[other]], True)
        dropped |= undecided & hit
        picked |= undecided & ~waits


def square_neighbours(flat: Tensor, shape: torch.Size, radius: int) -> tuple[Tensor, Tensor]:
    """``[M, (2r+1)^2]`` flat indices of the pixels within Chebyshev ``radius`` of each of the
    pixels ``flat`` (clamped into the image), and whether each lies inside the image."""
    height, width = shape
    steps = torch.arange(-radius, radius + 1, device=flat.device)
    y = (flat // width)[:, None] + steps.repeat_interleave(steps.numel())
    x = (flat % width)[:, None] + steps.repeat(steps.numel())
    inside = (y >= 0) & (y < height) & (x >= 0) & (x < width)
    return (y * width + x).clamp(0, height * width - 1), inside


def greedy_points(order: Tensor, width: int, distance: int, count: int) -> Tensor:
    """The first ``count`` picks of greedy suppression on the pixels ``order`` (flat indices,
    best first): each pick blocks the pixels within Chebyshev ``distance``. Fewer when the
    pool runs out. One step per pick on the pool's coordinates (a point budget is a few points
    per round), no host synchronisation."""
    y, x = order // width, order % width
    alive = torch.ones(order.numel(), dtype=torch.bool, device=order.device)
    picks, valid = [], []
    for _ in range(min(count, order.numel())):
        best = alive.to(torch.uint8).argmax().view(1)  # the first alive: the best left
        valid.append(alive[best])  # a copy (a 0-d index would give a view of alive)
        picks.append(best)
        alive &= ((y - y[best]).abs() > distance) | ((x - x[best]).abs() > distance)
    if not picks:
        return order[:0]
    picks, valid = torch.cat(picks), torch.cat(valid)
    return order[picks[valid]].sort().values
