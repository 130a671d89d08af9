"""A selection round's one owner: strategy and options, budget schedule, per-image seeding, oracle.

The selection hooks (timing, DDP, logging), ``tools/analysis/selection_quality.py``,
``tools/benchmark/perf.py`` and ``tools/import_answers.py`` all go through
:class:`SelectionRound`, so each computes a round's budget and draws exactly as training does.
"""
import os

import numpy as np
import torch
from torch import Tensor

from ..selection import budget_in_pixels, get_strategy
from .oracle import GroundTruthOracle

ORACLES = ('ground_truth', 'human')
# LabOR's hooks: their strategy and defaults (the hooks' signatures and the tools read these).
PRESETS = {
    'SPLSelectionHook': dict(strategy='spl', budget=0.022, boundary_radius=1),
    'PPLSelectionHook': dict(strategy='ppl', budget=40, boundary_radius=1),
}


def round_budgets(total: int, num_rounds: int) -> list[int]:
    """Split a per-image budget into equal shares per round (remainder to the last rounds)."""
    share, rest = divmod(total, num_rounds)
    return [share + (1 if r >= num_rounds - rest else 0) for r in range(num_rounds)]


def with_boundary_radius(owner: str, strategy_cfg: dict | None, boundary_radius: int) -> dict:
    """``strategy_cfg`` with ``boundary_radius`` added (LabOR's hooks take it as their own
    argument; ValueError naming ``owner`` if ``strategy_cfg`` gives it too)."""
    strategy_cfg = dict(strategy_cfg or {})
    if 'boundary_radius' in strategy_cfg:
        raise ValueError(f'{owner}.strategy_cfg: give boundary_radius as {owner}.boundary_radius, '
                         f'not in strategy_cfg {strategy_cfg}')
    return dict(strategy_cfg, boundary_radius=boundary_radius)


class SelectionRound:
    """What a selection round does to one image: score -> pick -> ask.

    Args:
        strategy: Name in ``labor_mmseg.registry.SELECTION_STRATEGIES``.
        budget: Per image over all rounds: a fraction of pixels (float in (0, 1]) or a number
            of pixels (int), split equally between the ``num_rounds`` rounds.
        num_rounds: How many rounds share the budget.
        seed: Seed of the draws of ``random``; None until the owner sets it (the runner's).
        oracle: ``'ground_truth'`` (answers from the label files) or ``'human'`` (asked after
            the round, :meth:`ask` returns None).
        strategy_cfg: Keyword arguments of the strategy, checked now with one call on a
            one-pixel image.
        owner: Name used in errors (the config's hook type), so they name the config field.
    """

    def __init__(self, strategy: str = 'spl', budget: float | int = 0.022, num_rounds: int = 5,
                 seed: int | None = None, oracle: str = 'ground_truth',
                 strategy_cfg: dict | None = None, owner: str = 'SelectionRound') -> None:
        try:
            self.strategy = get_strategy(strategy)
        except KeyError as err:
            raise KeyError(f'{owner}.strategy: {err.args[0]}') from None
        self.strategy_name = strategy
        self.strategy_cfg = dict(strategy_cfg or {})
        try:
            probe = torch.full((2, 1, 1), 0.5)
            self.strategy(probe, probe.clone(), 1, **self.strategy_cfg)
        except (TypeError, ValueError) as err:
            raise type(err)(f'{owner}.strategy_cfg {self.strategy_cfg}: {err} (strategy '
                            f'{strategy!r})') from None
        try:
            budget_in_pixels(budget, 1 << 20)  # validate early, with the config's value
        except (TypeError, ValueError) as err:
            raise type(err)(f'{owner}.budget: {err}') from None
        if oracle not in ORACLES:
            raise ValueError(f"{owner}.oracle must be 'ground_truth' or 'human', got {oracle!r}")
        self.budget = budget
        self.num_rounds = num_rounds
        self.seed = seed
        self.oracle_name = oracle
        self.oracle = GroundTruthOracle() if oracle == 'ground_truth' else None

    @classmethod
    def from_hook_cfg(cls, hook_cfg: dict) -> 'SelectionRound':
        """The round a selection hook's config dict runs (``type``: ``ActiveSelectionHook`` or a
        :data:`PRESETS` hook), without building the hook; ``seed`` as the hook's."""
        cfg = dict(hook_cfg)
        owner = cfg.pop('type')
        preset = dict(PRESETS.get(owner, {}))
        radius = cfg.pop('boundary_radius', preset.pop('boundary_radius', None))
        if radius is not None:
            cfg['strategy_cfg'] = with_boundary_radius(owner, cfg.get('strategy_cfg'), radius)
        rounds = cfg.pop('rounds', (1,) * 5)
        kwargs = {k: cfg[k] for k in ('strategy', 'budget', 'seed', 'oracle', 'strategy_cfg')
                  if k in cfg}
        return cls(**{**preset, **kwargs}, num_rounds=len(rounds), owner=owner)

    def image_budget(self, num_pixels: int, round_idx: int) -> int:
        """Round ``round_idx``'s share of one image's budget."""
        return round_budgets(budget_in_pixels(self.budget, num_pixels),
                             self.num_rounds)[round_idx]

    def generator(self, round_idx: int, idx: int, device: torch.device) -> torch.Generator:
        """The draw of image ``idx`` in round ``round_idx``: per image, so sharding the images
        over ranks, or scoring only some (an analysis tool), does not change it."""
        if self.seed is None:
            raise RuntimeError('SelectionRound.seed is not set (the runner\'s seed, by default)')
        return torch.Generator(device).manual_seed(
            (self.seed * 1_000_003 + round_idx) * 1_000_003 + idx)

    def select(self, prob1: Tensor, prob2: Tensor, round_idx: int, idx: int,
               labeled: Tensor | None = None) -> Tensor:
        """This round's picks on image ``idx`` from B's ``[C, H, W]`` maps (``BoolTensor``)."""
        kwargs = dict(self.strategy_cfg)
        if self.strategy_name == 'random':
            kwargs['generator'] = self.generator(round_idx, idx, prob1.device)
        budget = self.image_budget(prob1.shape[1] * prob1.shape[2], round_idx)
        return self.strategy(prob1, prob2, budget, labeled=labeled, **kwargs)

    def ask(self, seg_map_path: str | os.PathLike, mask: np.ndarray) -> np.ndarray | None:
        """The oracle's answers at ``mask`` (255 where void), or None when a person answers."""
        return None if self.oracle is None else self.oracle.query(seg_map_path, mask)

