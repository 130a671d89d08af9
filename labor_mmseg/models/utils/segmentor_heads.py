"""What LabOR needs from an MMSeg segmentor's heads: which they are, their logits, their losses.

Every MMSeg decode head (``BaseDecodeHead`` and the cascade stages' ``BaseCascadeDecodeHead``)
computes its training loss as ``loss_by_feat(seg_logits, data_samples)`` inside ``loss()``;
that call is where LabOR reads a head's logits and, on the target, puts its own loss, so the
segmentor's own ``loss()`` runs every head (decode head, cascade stages, auxiliary heads) with
MMSeg's names (``decode.*``, ``decode_<i>.*``, ``aux.*``, ``aux_<i>.*``).
"""
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from torch import Tensor, nn

HeadLoss = Callable[..., dict[str, Tensor]]


def as_list(heads: nn.Module | None) -> list[nn.Module]:
    """A segmentor's ``decode_head`` or ``auxiliary_head`` (one head, a ModuleList or None)."""
    if heads is None:
        return []
    return list(heads) if isinstance(heads, nn.ModuleList) else [heads]


def decode_heads(segmentor: nn.Module) -> list[nn.Module]:
    """The decode head, or a cascade's stages in order. ValueError if there is none."""
    heads = as_list(getattr(segmentor, 'decode_head', None))
    if not heads:
        raise ValueError(f'model.segmentor ({type(segmentor).__name__}) has no decode_head: '
                         'LabOR needs an MMSeg segmentor whose decode head gives per-pixel logits')
    return heads


def final_head(segmentor: nn.Module) -> nn.Module:
    """The head whose logits are the segmentor's prediction (a cascade's last stage)."""
    return decode_heads(segmentor)[-1]


def all_heads(segmentor: nn.Module) -> list[nn.Module]:
    """Decode head (or cascade stages) and auxiliary heads."""
    return decode_heads(segmentor) + as_list(getattr(segmentor, 'auxiliary_head', None))


def head_fields(segmentor: nn.Module) -> list[tuple[nn.Module, str]]:
    """Every head of :func:`all_heads` with its config field, for messages
    (``model.segmentor.decode_head``, ``...decode_head[1]``, ``...auxiliary_head[0]``)."""
    out = []
    for name in ('decode_head', 'auxiliary_head'):
        heads = getattr(segmentor, name, None)
        listed = isinstance(heads, nn.ModuleList)
        out += [(head, f'model.segmentor.{name}' + (f'[{i}]' if listed else ''))
                for i, head in enumerate(as_list(heads))]
    return out


def logits_map(output: Any, head: nn.Module) -> Tensor | None:
    """What a head's loss received, as per-pixel class logits: one ``[N, C, H, W]`` tensor of
    its ``num_classes``; None for anything else (several outputs, point samples, class scores
    with masks), whose per-pixel scores come from the segmentor's own inference path."""
    if (isinstance(output, Tensor) and output.dim() == 4
            and output.shape[1] == getattr(head, 'num_classes', None)):
        return output
    return None


def head_loss_weight(head: nn.Module) -> float:
    """The weight a head gives its first loss term (MMSeg: 1.0 decode, 0.4 auxiliary heads).

    The first term is the cross-entropy in MMSeg's configs; taking its weight keeps a head's
    share of the total as MMSeg's config sets it.
    """
    losses = getattr(head, 'loss_decode', None)
    first = losses[0] if isinstance(losses, nn.ModuleList) else losses
    if not hasattr(first, 'loss_weight'):
        raise ValueError(f'{type(head).__name__} has no loss_decode with a loss_weight: LabOR '
                         "trains A's heads as MMSeg's BaseDecodeHead does")
    return float(first.loss_weight)


@contextmanager
def head_losses_as(heads: list[nn.Module], loss_fn: HeadLoss) -> Iterator[None]:
    """While open, each head's ``loss_by_feat(*args)`` is ``loss_fn(head, *args)`` (an instance
    attribute over the method; nested uses restore the outer one). MMSeg's heads pass
    ``(seg_logits, data_samples)``; others pass what their own loss needs."""
    outer = [vars(head).get('loss_by_feat') for head in heads]
    for head in heads:
        head.loss_by_feat = partial(loss_fn, head)
    try:
        yield
    finally:
        for head, previous in zip(heads, outer, strict=True):
            if previous is None:
                del head.loss_by_feat
            else:
                head.loss_by_feat = previous


@contextmanager
def recorded_logits(head: nn.Module) -> Iterator[list[Any]]:
    """Collect what ``head`` computes its own loss from (the first argument of its
    ``loss_by_feat``), while open."""
    logits: list[Any] = []
    own_loss = head.loss_by_feat

    def record(_head: nn.Module, *args: Any, **kwargs: Any) -> dict:
        logits.append(args[0] if args else None)
        return own_loss(*args, **kwargs)

    with head_losses_as([head], record):
        yield logits


def single_logits(logits: list[Any], head: nn.Module) -> Tensor | None:
    """The logits map ``head`` computed its loss from in a forward (:func:`logits_map`; None
    when it is something else); RuntimeError when the loss was computed more than once."""
    if len(logits) != 1:
        raise RuntimeError(
            f'{type(head).__name__} computed its loss {len(logits)} times in one forward: LabOR '
            "reads the decode head's logits where its loss() calls loss_by_feat once, as every "
            'MMSeg decode head does')
    return logits_map(logits[0], head)
