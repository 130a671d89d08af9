"""What reviewing A's class proposals costs a person (``review_effort``), on hand-made maps."""
import numpy as np
import pytest

from labor_mmseg.labeling.effort import (
    RELABEL_CLICKS,
    REVIEW_FIELDS,
    SECONDS_PER_CHECK,
    SECONDS_PER_CLICK,
    add_effort,
    mask_effort,
    no_effort,
    review_effort,
)
from labor_mmseg.labeling.proposals import make_proposals

VOID, UNANSWERED = 254, 253


def region_proposals():
    """Six region proposals of classes 0..5 on a 6 x 8 map (``.``: not queried)::

        1 1 . . 2 2 . 5
        1 1 . . 2 2 . 5
        . . . . . . . .
        3 3 3 . . 0 0 .
        3 3 3 . . 0 0 .
        3 3 3 . . 4 4 4
    """
    predicted = np.full((6, 8), 255, np.uint8)
    predicted[0:2, 0:2] = 1
    predicted[0:2, 4:6] = 2
    predicted[0:2, 7] = 5
    predicted[3:6, 0:3] = 3
    predicted[3:5, 5:7] = 0
    predicted[5, 5:8] = 4
    proposals = make_proposals(predicted != 255, predicted, points=False)
    assert proposals.classes.tolist() == [0, 1, 2, 3, 4, 5]
    return proposals, predicted


def test_accepted_relabeled_and_repainted_regions():
    """1 kept (accepted); 2 answered 3 everywhere (relabeled); 3 with a column answered 4
    (repainted: that column's clicks); 0 unanswered (accepted, skipped); 4 answered void and
    one pixel unanswered (relabeled: void is a class, unanswered pixels do not count); 5 half
    void (repainted: one point)."""
    proposals, predicted = region_proposals()
    answers = predicted.copy()
    answers[0:2, 4:6] = 3
    answers[3:6, 0] = 4
    answers[3:5, 5:7] = 255
    answers[5, 5:8] = VOID
    answers[5, 7] = UNANSWERED
    answers[1, 7] = VOID
    column = np.zeros((6, 8), bool)
    column[3:6, 0] = True
    repaint = mask_effort(column)['clicks'] + 1
    assert mask_effort(column)['regions'] == 1 and repaint > 2
    clicks = 2 * RELABEL_CLICKS + repaint
    assert review_effort(proposals, answers) == dict(
        proposals=6, accepted=2, relabeled=2, repainted=2, skipped=1, clicks=clicks,
        seconds=6 * SECONDS_PER_CHECK + clicks * SECONDS_PER_CLICK)
    assert review_effort(proposals, predicted) == dict(
        proposals=6, accepted=6, relabeled=0, repainted=0, skipped=0, clicks=0,
        seconds=6 * SECONDS_PER_CHECK)


def test_unanswered_is_255_or_253_and_answers_outside_proposals_do_not_count():
    proposals, predicted = region_proposals()
    answers = predicted.copy()
    answers[0:2, 0:2] = 255
    stored = np.where(answers == 255, UNANSWERED, answers)
    stored[2, :] = 7  # not a proposal's pixel
    assert review_effort(proposals, answers) == review_effort(proposals, stored)
    assert review_effort(proposals, stored)['skipped'] == 1
    with pytest.raises(ValueError, match='one size'):
        review_effort(proposals, answers[:5])


def test_a_repainted_region_costs_the_mask_effort_of_its_wrong_pixels():
    """Measured on the region's bounding box, the clicks are those of the whole map."""
    rng = np.random.default_rng(0)
    queried = np.zeros((16, 16), bool)
    queried[3:12, 2:14] = True
    predicted = np.where(queried, 0, 255).astype(np.uint8)
    proposals = make_proposals(queried, predicted, points=False)
    answers = np.where(queried, rng.choice([0, 0, 1, 2], size=(16, 16)), 255).astype(np.uint8)
    review = review_effort(proposals, answers)
    assert (review['proposals'], review['repainted']) == (1, 1)
    assert review['clicks'] == mask_effort(queried & (answers != 0))['clicks'] > 10


def test_point_proposals_are_relabeled_or_accepted_one_by_one():
    queried = np.zeros((3, 3), bool)
    queried[0, 0] = queried[0, 2] = queried[2, 0] = queried[2, 2] = True
    predicted = np.array([[1, 0, 2], [0, 0, 0], [3, 0, 4]], np.uint8)
    proposals = make_proposals(queried, predicted, points=True)
    answers = np.array([[1, 255, 5], [255, 255, 255], [VOID, 255, 255]], np.uint8)
    assert review_effort(proposals, answers) == dict(
        proposals=4, accepted=2, relabeled=2, repainted=0, skipped=1,
        clicks=2 * RELABEL_CLICKS,
        seconds=4 * SECONDS_PER_CHECK + 2 * RELABEL_CLICKS * SECONDS_PER_CLICK)


def test_no_proposals_and_sums_of_reviews():
    none = make_proposals(np.zeros((4, 4), bool), np.zeros((4, 4), np.uint8), points=False)
    empty = review_effort(none, np.full((4, 4), 255, np.uint8))
    assert empty == no_effort(REVIEW_FIELDS) and isinstance(empty['seconds'], float)
    proposals, predicted = region_proposals()
    one = review_effort(proposals, predicted)
    assert add_effort(one, one, REVIEW_FIELDS) == {k: 2 * v for k, v in one.items()}
    assert add_effort(one, None, REVIEW_FIELDS) is None
