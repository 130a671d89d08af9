"""Distributed runs without a GPU: torchrun + gloo on CPU."""
import gc
from datetime import timedelta

import torch
import torch.distributed as torch_dist
from mmengine.config import Config


def init_cpu_dist(cfg: Config) -> bool:
    """Set up a CPU distributed run (gloo) for ``cfg.launcher`` before the runner is built.

    MMEngine's ``init_dist`` selects a CUDA device, and its DDP wrappers get
    ``device_ids=[LOCAL_RANK]``, which DDP rejects for CPU modules. Without CUDA, this joins
    the process group from the torchrun environment (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``,
    ``MASTER_PORT``) with gloo, so the runner skips ``init_dist``, and sets
    ``model_wrapper_cfg.device_ids=None``. With CUDA, or ``launcher='none'``, it does nothing:
    MMEngine sets up the run as usual.

    Returns:
        Whether a CPU process group was initialised.
    """
    launcher = cfg.get('launcher', 'none')
    if launcher == 'none' or torch.cuda.is_available():
        return False
    if launcher != 'pytorch':
        raise ValueError(f'distributed runs without CUDA need --launcher pytorch (torchrun), '
                         f'got --launcher {launcher}')
    if not torch_dist.is_initialized():
        timeout = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('timeout')
        torch_dist.init_process_group(
            backend='gloo', init_method='env://',
            timeout=None if timeout is None else timedelta(seconds=timeout))
    # The runner's default wrapper, spelled out, for configs without model_wrapper_cfg.
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    return True


def close_dist() -> None:
    """Leave the process group, if any, once every rank has finished.

    Call it after ``runner.train()`` / ``runner.test()`` with the runner deleted: a process
    that exits with the group still alive can abort in the C++ teardown of its communication
    threads (``terminate called without an active exception``), so torchrun reports a finished
    run as failed. The model's DDP wrappers hold the group too, so the group is only freed here
    once they are gone (collected first).
    """
    if torch_dist.is_initialized():
        gc.collect()
        torch_dist.barrier()
        torch_dist.destroy_process_group()
