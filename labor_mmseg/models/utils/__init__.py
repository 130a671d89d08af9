"""Model helpers that are neither components nor losses."""
from .class_mix import class_mix_masks, fit_to, mix
from .pseudo_labels import confidence_weighted, pseudo_labels
from .strong_augmentation import color_jitter, gaussian_blur

__all__ = ['class_mix_masks', 'color_jitter', 'confidence_weighted', 'fit_to', 'gaussian_blur',
           'mix',
           'pseudo_labels']
