"""Utilities: config helpers shared by the tools."""

from .amp import enable_amp
from .dist import close_dist, init_cpu_dist

__all__ = ['close_dist', 'enable_amp', 'init_cpu_dist']
