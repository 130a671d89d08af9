"""The primitives shared by the selection strategies: input checks, the heads' votes and the
candidates, chunked scans over pixels, top-k and index masks."""

from collections.abc import Iterator
from numbers import Integral

import torch
from torch import Tensor


def head_votes(prob1: Tensor, prob2: Tensor) -> tuple[Tensor, Tensor]:
    """Each classifier's class per pixel: argmax of ``[..., C, H, W]`` (first maximum on ties)."""
    check_prob_pair(prob1, prob2)
    return class_argmax(prob1), class_argmax(prob2)


def unlabeled_candidates(prob1: Tensor, prob2: Tensor,
                         labeled: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """LabOR's candidates D: the pixels of the inconsistency mask not labeled yet.

    Returns ``(vote1, vote2, candidates, index)``: each head's class ``[H, W]``
    (:func:`head_votes`), D as a ``BoolTensor[H, W]`` and D's flat indices, ascending.
    """
    vote1, vote2 = head_votes(prob1, prob2)
    candidates = (vote1 != vote2) & ~labeled
    return vote1, vote2, candidates, candidates.view(-1).nonzero().squeeze(1)


def voted_class(score: Tensor, vote1: Tensor, vote2: Tensor) -> Tensor:
    """Each pixel's class: of the two classes the classifiers vote for (``vote1, vote2``,
    ``[1, n]`` rows of :func:`head_votes`), the one of higher ``score`` (``[C, n]``: the mean, or
    the sum, of the two heads' probabilities); on ties the lower class. Returns ``[n]``.

    Two gathers per pixel, where a full argmax of the mean would sweep every class.
    """
    score1, score2 = score.gather(0, vote1), score.gather(0, vote2)
    return torch.where((score2 > score1) | ((score2 == score1) & (vote2 < vote1)),
                       vote2, vote1).view(-1)


def class_argmax(prob: Tensor) -> Tensor:
    """Argmax over the class dimension of ``[..., C, H, W]`` maps, first maximum on ties.

    On CPU a max-with-index reduction over the class dimension (the outer, strided one) is not
    vectorised and takes several times longer than a plain ``amax``, and so does a comparison
    into a bool tensor. So, :data:`ARGMAX_CHUNK` pixels at a time: the maximum (one ``amax``),
    which classes reach it as a float32 mask (a comparison written into float32), times the
    tags ``C - 1 - class``, and one ``amax`` of those: the lowest class that reaches the
    maximum. The tags are exact in float32 for up to ``2**24`` classes.
    """
    num_classes = prob.shape[-3]
    if num_classes > 1 << 24:
        raise ValueError(f'class_argmax takes up to 2**24 classes, got {num_classes}')
    tags = torch.arange(num_classes - 1, -1, -1, dtype=torch.float32,
                        device=prob.device).unsqueeze(1)
    flat = prob.flatten(-2)
    best = torch.empty(flat.shape[:-2] + flat.shape[-1:], dtype=torch.float32,
                       device=prob.device)
    for start in range(0, flat.shape[-1], ARGMAX_CHUNK):
        part = flat[..., start:start + ARGMAX_CHUNK]
        top = torch.empty(part.shape, dtype=torch.float32, device=prob.device)
        torch.eq(part, part.amax(dim=-2, keepdim=True), out=top)
        torch.amax(top.mul_(tags), dim=-2, out=best[..., start:start + ARGMAX_CHUNK])
    return (num_classes - 1 - best.long()).view(prob.shape[:-3] + prob.shape[-2:])


def check_prob_pair(prob1: Tensor, prob2: Tensor) -> None:
    """Raise ``ValueError`` unless the two maps are ``[..., C, H, W]`` of one shape and device."""
    if prob1.dim() < 3:
        raise ValueError(f'probability maps must be [..., C, H, W], got shape {tuple(prob1.shape)}')
    if prob1.shape != prob2.shape:
        raise ValueError(
            f'prob1 and prob2 differ in shape: {tuple(prob1.shape)} vs {tuple(prob2.shape)}')
    if prob1.device != prob2.device:
        raise ValueError(f'prob1 and prob2 differ in device: {prob1.device} vs {prob2.device}')


def check_selection_inputs(prob1: Tensor, prob2: Tensor, budget: int,
                           labeled: Tensor | None) -> Tensor:
    """Validate one image's selection inputs; return the labeled mask (all false if ``None``).

    ``prob1, prob2`` are ``[C, H, W]``, ``budget`` a positive pixel count, ``labeled`` a
    ``BoolTensor[H, W]`` on the same device or ``None`` (nothing labeled yet).
    """
    check_prob_pair(prob1, prob2)
    if prob1.dim() != 3:
        raise ValueError(f'selection works on one image [C, H, W], got shape {tuple(prob1.shape)}')
    if isinstance(budget, bool) or not isinstance(budget, Integral):
        raise TypeError(f'budget must be an int number of pixels, got {budget!r}')
    if budget <= 0:
        raise ValueError(f'budget must be a positive number of pixels, got {budget}')
    hw = prob1.shape[1:]
    if labeled is None:
        return torch.zeros(hw, dtype=torch.bool, device=prob1.device)
    if labeled.dtype != torch.bool or labeled.shape != hw:
        raise ValueError(f'labeled must be a BoolTensor{list(hw)}, '
                         f'got {labeled.dtype} of shape {tuple(labeled.shape)}')
    if labeled.device != prob1.device:
        raise ValueError(f'labeled is on {labeled.device}, the probabilities on {prob1.device}')
    return labeled


def top_k_indices(index: Tensor, scores: Tensor, k: int) -> Tensor:
    """The ``k`` entries of ``index`` (ascending flat pixel indices) with the highest ``scores``.

    All of ``index`` is returned when it holds at most ``k`` entries. Ties at the k-th score go to
    the lowest pixel indices, so the result does not depend on the device's top-k implementation.
    """
    if index.numel() <= k:
        return index
    kth = scores.topk(k, sorted=False).values.min()
    above = scores > kth
    tied = scores == kth
    return index[above | (tied & (tied.cumsum(0) <= k - above.sum()))]


def index_mask(index: Tensor, shape: torch.Size) -> Tensor:
    """A ``BoolTensor`` of ``shape`` that is true at the given flat indices."""
    mask = torch.zeros(shape.numel(), dtype=torch.bool, device=index.device)
    mask[index] = True
    return mask.view(shape)


CHUNK = 1 << 16  # pixels per chunk: per-chunk temporaries stay small and in cache
ARGMAX_CHUNK = 1 << 12  # pixels per chunk of class_argmax: 0.3 MB of float32 per 19-class temporary


def scan_columns(index: Tensor, num_pixels: int) -> Tensor | None:
    """The pixels to scan for candidates ``index``: themselves, or None (every pixel) when they
    are most of the ``num_pixels``, where full-map passes beat gathering each one's column."""
    return None if 2 * index.numel() > num_pixels else index


def pixel_chunks(maps: list[Tensor], columns: Tensor | None,
                 size: int = CHUNK) -> Iterator[tuple[int, list[Tensor]]]:
    """``(start, [map[:, pixels] for map in maps])`` over the pixels ``columns`` (flat indices;
    None: every pixel), ``size`` pixels at a time. ``maps`` are ``[*, H, W]``."""
    flat = [x.reshape(x.shape[0], -1) for x in maps]
    total = flat[0].shape[1] if columns is None else columns.numel()
    for start in range(0, total, size):
        if columns is None:
            yield start, [x[:, start:start + size] for x in flat]
        else:
            yield start, [x.index_select(1, columns[start:start + size]) for x in flat]
