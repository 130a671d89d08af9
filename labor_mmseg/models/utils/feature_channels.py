"""Which feature channels a decode head reads, and whether they are what the backbone gives.

A backbone swap changes its channels; these helpers let B's classifiers follow A's backbone and
turn a mismatch into a build-time error naming the config fields, not a channel error at the
first forward.
"""
import logging
from collections.abc import Callable

import torch
from mmengine.logging import print_log
from torch import Tensor, nn

from .segmentor_heads import as_list

# A dry forward of this many pixels a side (unless the backbone has a fixed ``img_size``) is
# enough for MMSeg's backbones' strides.
DRY_RUN_SIZE = 64


def feature_maps(feats: list | tuple) -> list[Tensor]:
    """A backbone's levels as maps: a level given as a ``(map, class token)`` pair (a ViT with
    ``output_cls_token``, as DPT's) is its map, what B's classifiers read."""
    return [f[0] if isinstance(f, list | tuple) else f for f in feats]


@torch.no_grad()
def feature_channels(module: nn.Module,
                     forward: Callable[[Tensor], list[Tensor]] | None = None,
                     size: int | tuple[int, int] | None = None) -> list[int] | None:
    """Channels of each feature level ``forward`` (default ``module`` itself, e.g. a backbone;
    a segmentor's ``extract_feat``) outputs, from one dry forward of ``module`` in eval mode (no
    statistics updated, no gradient) at ``size`` (default the backbone's ``img_size`` if it has
    one, else :data:`DRY_RUN_SIZE`).

    None, with a logged warning, when the forward fails or gives no list of ``[N, C, H, W]`` maps
    (e.g. a ViT that also returns class tokens): the channels cannot be checked then.
    """
    backbone = getattr(module, 'backbone', module)
    size = size or getattr(backbone, 'img_size', None) or DRY_RUN_SIZE
    height, width = (size, size) if isinstance(size, int) else size
    param = next(module.parameters(), None)
    inputs = torch.zeros(1, 3, height, width, device=param.device if param is not None else None)
    was_training = module.training
    module.eval()
    try:
        feats = (forward or module)(inputs)
    except Exception as err:  # any backbone's own error: the check is a courtesy
        print_log(f'{type(backbone).__name__}: no dry forward at {height}x{width} ({err}); '
                  'head channels are not checked against it', 'current', logging.WARNING)
        return None
    finally:
        module.train(was_training)
    if isinstance(feats, list | tuple):
        feats = feature_maps(feats)
    if not (isinstance(feats, (list, tuple))
            and all(isinstance(f, Tensor) and f.dim() == 4 for f in feats)):
        print_log(f'{type(backbone).__name__} gives no list of [N, C, H, W] feature maps; '
                  'head channels are not checked against it', 'current', logging.WARNING)
        return None
    return [f.shape[1] for f in feats]


def head_input_channels(channels: list[int], in_index: int | list[int],
                        input_transform: str | None) -> int | list[int]:
    """What a head with ``in_index`` and ``input_transform`` (MMSeg's ``BaseDecodeHead``) reads
    from features of ``channels``."""
    if input_transform is None:
        return channels[in_index]
    picked = [channels[i] for i in in_index]
    return sum(picked) if input_transform == 'resize_concat' else picked


def check_head_channels(head: nn.Module, channels: list[int], field: str) -> None:
    """ValueError naming ``field`` if ``head`` (a built ``BaseDecodeHead``) expects other input
    channels than features of ``channels`` give it; heads of other kinds are not checked."""
    if not all(hasattr(head, a) for a in ('in_channels', 'in_index', 'input_transform')):
        return
    try:
        given = head_input_channels(channels, head.in_index, head.input_transform)
    except IndexError:
        raise ValueError(f'{field}.in_index={head.in_index} names a feature level the backbone '
                         f'does not output: it gives {len(channels)} levels of {channels} '
                         'channels') from None
    expected = head.in_channels
    if given != (list(expected) if isinstance(expected, (list, tuple)) else expected):
        raise ValueError(
            f'{field}.in_channels={head.in_channels} does not match the backbone: its levels '
            f'have {channels} channels, so in_index={head.in_index} gives {given}; set '
            f'{field}.in_channels={given} (or change {field}.in_index)')


def check_segmentor_channels(segmentor: nn.Module) -> list[int] | None:
    """ValueError naming the head's config field if a head of A expects other channels than
    A's backbone (and neck) give, as after a backbone swap by inheritance. Returns those
    channels (:func:`feature_channels`; None: not probed, nothing checked)."""
    channels = feature_channels(segmentor, segmentor.extract_feat)
    if channels is None:
        return None
    for name in ('decode_head', 'auxiliary_head'):
        heads = as_list(getattr(segmentor, name, None))
        for i, head in enumerate(heads):
            field = f'model.segmentor.{name}' + (f'[{i}]' if len(heads) > 1 else '')
            check_head_channels(head, channels, field)
    return channels
