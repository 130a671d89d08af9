"""What a person is shown for one image's query: model A's class proposals.

The one definition of a proposal, used both by the tasks a person gets (Label Studio brush
regions and keypoints) and by the effort report, so the report counts exactly what the tasks
show.
"""
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Proposals:
    """A's proposals on one image.

    ``ids``: int32 ``HxW``, 0 outside the query and ``i + 1`` on proposal ``i``;
    ``classes``: int64 ``[n]``, A's class of each proposal; ``points``: each proposal is one
    pixel shown as a keypoint (else a brush region).
    """

    ids: np.ndarray
    classes: np.ndarray
    points: bool

    def __len__(self) -> int:
        return len(self.classes)

    def mask(self, i: int) -> np.ndarray:
        """The pixels of proposal ``i`` (bool ``HxW``)."""
        return self.ids == i + 1


def make_proposals(queried: np.ndarray, predicted: np.ndarray, points: bool) -> Proposals:
    """A's proposals for the ``queried`` pixels (bool ``HxW``) from its class map
    ``predicted`` (``HxW`` class ids).

    ``points``: every queried pixel is a proposal of its own (a keypoint; point budgets).
    Otherwise each 8-connected region of the queried pixels that A gives one class is a
    proposal (a brush region), whatever its size, so a person accepts it as it is, changes
    its class with one click, or repaints it. Order: by class, then by component (stable).
    """
    queried = np.asarray(queried, dtype=bool)
    predicted = np.asarray(predicted)
    if queried.ndim != 2 or predicted.shape != queried.shape:
        raise ValueError(f'queried {queried.shape} and predicted {predicted.shape} must be '
                         'two maps of one size')
    ids = np.zeros(queried.shape, np.int32)
    if points:
        ys, xs = np.nonzero(queried)
        ids[ys, xs] = np.arange(1, len(ys) + 1, dtype=np.int32)
        return Proposals(ids, predicted[ys, xs].astype(np.int64), True)
    classes = []
    for c in np.unique(predicted[queried]).tolist():
        count, components = cv2.connectedComponents((queried & (predicted == c)).view(np.uint8),
                                                    connectivity=8)
        inside = components > 0
        ids[inside] = components[inside] + len(classes)
        classes += [c] * (count - 1)
    return Proposals(ids, np.asarray(classes, np.int64), False)
