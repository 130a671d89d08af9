"""labor-mmseg: LabOR active domain adaptation for MMSegmentation 1.x.

Importing the package registers its components in MMSeg's registries (configs import it through
``custom_imports``) and lets ``torch.load(weights_only=True)`` resume MMEngine checkpoints.
"""
from . import datasets, engine, models, selection  # noqa: F401  (registration)
from .utils.safe_load import allow_mmengine_checkpoint_globals

__version__ = '0.1.0'

allow_mmengine_checkpoint_globals()
