"""labor-mmseg's own registry: selection strategies, which MMSeg has no registry for.

A strategy is a pure function ``f(prob1, prob2, budget, labeled=None, **options) -> BoolTensor``
on one image's ``[C, H, W]`` softmax maps of model B's two heads. Register one in your own
module and name it in a selection hook's ``strategy`` (import the module with
``custom_imports``)::

    from labor_mmseg.registry import SELECTION_STRATEGIES

    @SELECTION_STRATEGIES.register_module(name='my_strategy')
    def select_mine(prob1, prob2, budget, labeled=None): ...

An oracle answers a round's label queries (:class:`~labor_mmseg.labeling.oracles.Oracle`):
the ground truth in experiments, files or Label Studio when a person answers. Name one in a
selection hook's ``oracle``, or in the config's top-level ``oracle`` (a layer such as
``configs/_base_/labor/oracle_label_studio.py``).
"""
from mmengine.registry import Registry

# Scope 'labor_mmseg'; ``locations`` imports our strategies when the registry is first read.
SELECTION_STRATEGIES = Registry('selection strategy', scope='labor_mmseg',
                                locations=['labor_mmseg.selection'])
ORACLES = Registry('oracle', scope='labor_mmseg', locations=['labor_mmseg.labeling.oracles'])
