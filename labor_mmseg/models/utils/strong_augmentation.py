"""DACS's strong augmentation of a mixed image (colour jitter, Gaussian blur): pure functions on
images in [0, 1], (N, 3, H, W) RGB, each image with its own random draw."""
import math

import torch
import torch.nn.functional as F
from torch import Tensor

# RGB -> YIQ (NTSC): a hue shift is a rotation of the (I, Q) plane.
RGB_TO_YIQ = torch.tensor([[0.299, 0.587, 0.114],
                           [0.596, -0.274, -0.322],
                           [0.211, -0.523, 0.312]])


def _uniform(num: int, low: float, high: float, like: Tensor,
             generator: torch.Generator | None) -> Tensor:
    """``num`` draws in [low, high), shaped (num, 1, 1, 1) for broadcasting over images."""
    draws = torch.rand(num, generator=generator) * (high - low) + low
    return draws.to(like.device, like.dtype).view(-1, 1, 1, 1)


def grey(images: Tensor) -> Tensor:
    """Luma (ITU-R 601) of RGB images, (N, 1, H, W)."""
    weights = RGB_TO_YIQ[0].to(images.device, images.dtype).view(1, 3, 1, 1)
    return (images * weights).sum(1, keepdim=True)


def color_jitter(images: Tensor, strength: float = 0.2, probability: float = 0.8,
                 generator: torch.Generator | None = None) -> Tensor:
    """Brightness, contrast and saturation factors in [1 - s, 1 + s] and a hue rotation of up to
    ``s`` of a turn, with ``s`` = ``strength``, on each image with ``probability`` (DACS:
    strength 0.2, applied when a uniform draw exceeds 0.2). Clamped to [0, 1]."""
    num = images.shape[0]
    apply = _uniform(num, 0, 1, images, generator) < probability
    out = images * _uniform(num, 1 - strength, 1 + strength, images, generator)
    mean = grey(out).mean(dim=(2, 3), keepdim=True)
    out = mean + (out - mean) * _uniform(num, 1 - strength, 1 + strength, images, generator)
    luma = grey(out)
    out = luma + (out - luma) * _uniform(num, 1 - strength, 1 + strength, images, generator)
    angle = _uniform(num, -strength, strength, images, generator).view(-1) * 2 * math.pi
    out = rotate_hue(out.clamp(0, 1), angle)
    return torch.where(apply, out.clamp(0, 1), images)


def rotate_hue(images: Tensor, angle: Tensor) -> Tensor:
    """Hue of each RGB image rotated by ``angle`` (N,) radians in YIQ space."""
    to_yiq = RGB_TO_YIQ.to(images.device, images.dtype)
    cos, sin = angle.cos(), angle.sin()
    rotation = torch.zeros(len(angle), 3, 3, device=images.device, dtype=images.dtype)
    rotation[:, 0, 0] = 1
    rotation[:, 1, 1], rotation[:, 1, 2] = cos, -sin
    rotation[:, 2, 1], rotation[:, 2, 2] = sin, cos
    matrix = torch.linalg.inv(to_yiq) @ rotation @ to_yiq  # (N, 3, 3)
    return torch.einsum('nij,njhw->nihw', matrix, images)


def gaussian_blur(images: Tensor, probability: float = 0.5, sigma: tuple[float, float] = (
        0.15, 1.15), generator: torch.Generator | None = None) -> Tensor:
    """Each image blurred with ``probability`` by a Gaussian of sigma uniform in ``sigma``
    and a kernel of about a tenth of the image's side (odd), as DACS does."""
    num, channels, height, width = images.shape
    apply = _uniform(num, 0, 1, images, generator) < probability
    sigmas = _uniform(num, *sigma, images, generator).view(-1)
    out = images.clone()
    for i in torch.nonzero(apply.view(-1)).view(-1).tolist():
        image = images[i:i + 1]
        for dim, side in ((2, height), (3, width)):
            size = max(3, int(math.ceil(0.1 * side)) // 2 * 2 + 1)
            offsets = torch.arange(size, device=images.device, dtype=images.dtype) - size // 2
            kernel = torch.exp(-offsets ** 2 / (2 * sigmas[i] ** 2))
            kernel = (kernel / kernel.sum()).repeat(channels, 1, 1)
            shape = (channels, 1, size, 1) if dim == 2 else (channels, 1, 1, size)
            pad = (0, 0, size // 2, size // 2) if dim == 2 else (size // 2, size // 2, 0, 0)
            image = F.conv2d(F.pad(image, pad, mode='reflect'), kernel.view(shape),
                             groups=channels)
        out[i:i + 1] = image
    return out
