"""Utilities: config helpers shared by the tools."""

from .amp import enable_amp
from .dist import init_cpu_dist

__all__ = ['enable_amp', 'init_cpu_dist']
