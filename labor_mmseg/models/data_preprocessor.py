"""Data preprocessor for source/target pairs."""
from mmseg.models.data_preprocessor import SegDataPreProcessor
from mmseg.registry import MODELS


@MODELS.register_module()
class PairedSegDataPreProcessor(SegDataPreProcessor):
    """``SegDataPreProcessor`` applied to each domain of a ``PairedDataset`` batch.

    A batch ``{'source': {...}, 'target': {...}}`` comes back as the same dict with each domain
    normalised, padded and stacked; any other batch (validation, testing) is processed as by
    ``SegDataPreProcessor``.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        """Preprocess one or both domains."""
        if 'source' in data and 'target' in data:
            return {domain: super(PairedSegDataPreProcessor, self).forward(data[domain], training)
                    for domain in ('source', 'target')}
        return super().forward(data, training)
