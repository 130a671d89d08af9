"""Utilities: config helpers shared by the tools."""

from .amp import enable_amp
from .dist import close_dist, init_cpu_dist
from .hook_options import hook_cfg_options
from .run_options import resume_run_options, run_options, save_run_options
from .shipped_model import shipped_model, shipped_optim_wrapper

__all__ = ['close_dist', 'enable_amp', 'hook_cfg_options', 'init_cpu_dist', 'resume_run_options',
           'run_options', 'save_run_options', 'shipped_model',
           'shipped_optim_wrapper']
