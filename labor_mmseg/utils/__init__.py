"""Utilities: config helpers shared by the tools."""

from .amp import enable_amp

__all__ = ['enable_amp']
