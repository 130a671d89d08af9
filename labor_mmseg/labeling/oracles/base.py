"""The oracle interface: a round's questions in, the answers out."""
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..proposals import Proposals


class AnswersPending(Exception):  # noqa: N818  (a state, not a failure)
    """The answers are not in yet (a person answers later): the run stops cleanly at the round,
    with a checkpoint, and the message says how to go on."""


@dataclass
class RoundRequest:
    """One selection round's questions to an oracle.

    ``queries``: per image key, the pixels asked (bool ``HxW``; only images with queries);
    ``proposals``: per key, model A's class proposals for them (what a person is shown);
    ``image_paths``/``label_paths``: the image and its ground-truth file per key;
    ``run_id``: the label store's id, binding answers to their run; ``round_idx``: 0-based
    (people read :attr:`number`); ``title``: the run's name for a person; ``query_dir``: where
    the round's queries are saved (``<work_dir>/queries/round_<number>``);
    ``resume_command``: the command that goes on after a stop.
    """

    run_id: str
    round_idx: int
    iteration: int
    strategy: str
    queries: dict[str, np.ndarray]
    proposals: dict[str, Proposals]
    image_paths: dict[str, str]
    label_paths: dict[str, str]
    classes: list[str]
    palette: list
    query_dir: Path
    title: str = ''
    resume_command: str = ''
    num_classes: int = field(init=False)

    def __post_init__(self) -> None:
        self.num_classes = len(self.classes)

    @property
    def number(self) -> int:
        """The round as a person reads it: 1, 2, ..."""
        return self.round_idx + 1

    @property
    def points(self) -> bool:
        """Whether the queries are points (keypoints) rather than regions (brushes)."""
        return any(p.points for p in self.proposals.values())


class Oracle:
    """Answers a round's label queries (register implementations in ``ORACLES``).

    :meth:`ask` returns, per answered image key, a uint8 map: class ids at answered pixels,
    ``QUERIED_VOID`` (254) where the answer is "no class", 255 where a queried pixel was left
    unanswered or was not queried; an image left out is not answered (nothing of it is spent;
    a later round may ask it again). It raises :class:`AnswersPending` when the answers come
    later (the run stops at the round), and an error naming what is wrong otherwise.

    ``person``: a person answers, so the round's checkpoint is saved and its queries are kept
    in ``query_dir`` before asking (a run killed while waiting resumes at the round and asks
    the same queries again); ``offline``: the answers reach the store by
    ``tools/import_answers.py``, not by :meth:`ask` (a resumed run with an unanswered round
    is refused). ``stats_name``: the ``oracle`` of the round's manifest entry.
    """

    person = False
    offline = False
    stats_name = 'oracle'

    def ask(self, request: RoundRequest) -> dict[str, np.ndarray]:
        raise NotImplementedError
