"""Models: the LabOR wrapper, its selector, discriminator, losses and heads."""
from .data_preprocessor import PairedSegDataPreProcessor
from .decode_heads import DeepLabV2Head
from .discriminators import OutputAlignmentHead
from .dual_head_selector import DualHeadSelector
from .labor import LabOR
from .losses import DiscrepancyLoss
from .self_training import FeatureDistance, MeanTeacher
from .utils import pseudo_labels

__all__ = ['DeepLabV2Head', 'DiscrepancyLoss', 'DualHeadSelector', 'FeatureDistance', 'LabOR',
           'MeanTeacher', 'OutputAlignmentHead', 'PairedSegDataPreProcessor', 'pseudo_labels']
