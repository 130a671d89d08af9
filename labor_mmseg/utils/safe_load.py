"""Let ``torch.load(weights_only=True)`` read MMEngine checkpoints (``--resume`` on torch >= 2.6).

MMEngine 0.10.7 saves its message hub in every checkpoint: ``HistoryBuffer`` objects holding
numpy arrays, plus their statistics methods pickled as ``getattr(HistoryBuffer, name)``.
torch >= 2.6 loads with ``weights_only=True`` and rejects those globals. We allow-list exactly
what rebuilds them (as MMEngine does after 0.10.7, open-mmlab/mmengine#1670); ``getattr`` is
answered by a stand-in that only returns ``HistoryBuffer``'s own statistics methods.
``weights_only`` itself stays on.
"""
import pickle

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

# numpy moved its core to ``numpy._core`` in 2.0; pickles name the module they were saved with.
_NUMPY_CORE = np._core if hasattr(np, '_core') else np.core  # type: ignore[attr-defined]
_STATISTICS = ('min', 'max', 'current', 'mean')


def history_buffer_method(owner: type, name: str):
    """Stand-in for ``getattr`` in checkpoints: only ``HistoryBuffer``'s statistics methods."""
    if owner is not HistoryBuffer or name not in _STATISTICS:
        raise pickle.UnpicklingError(
            f'checkpoint asks for getattr({owner!r}, {name!r}); only HistoryBuffer statistics '
            f'methods {_STATISTICS} are allowed')
    return getattr(owner, name)


def mmengine_checkpoint_globals() -> list:
    """The classes and functions an MMEngine checkpoint needs besides tensors."""
    dtype_classes = [type(np.dtype(name)) for name in
                     ('bool', 'int32', 'int64', 'uint8', 'float16', 'float32', 'float64')]
    return [HistoryBuffer, _NUMPY_CORE.multiarray._reconstruct, _NUMPY_CORE.multiarray.scalar,
            np.ndarray, np.dtype, *dtype_classes,
            (history_buffer_method, 'builtins.getattr')]


def allow_mmengine_checkpoint_globals() -> None:
    """Register :func:`mmengine_checkpoint_globals` with torch's safe unpickler."""
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is not None:  # torch < 2.4 has no weights_only default to satisfy
        add_safe_globals(mmengine_checkpoint_globals())
