"""RIPU's strategies against hand-made maps and a slow per-pick greedy reference."""
import math

import pytest
import torch

from labor_mmseg.labeling import SelectionRound
from labor_mmseg.registry import SELECTION_STRATEGIES
from labor_mmseg.selection import get_strategy, select_ripu_pixels, select_ripu_regions
from labor_mmseg.selection.ripu import cell_impurity


def one_hot_probs(labels: torch.Tensor, num_classes: int, confidence: float) -> torch.Tensor:
    """``[C, H, W]`` maps giving each pixel's class ``confidence``, the rest shared evenly."""
    rest = (1 - confidence) / (num_classes - 1)
    probs = torch.full((num_classes, *labels.shape), rest, dtype=torch.float64)
    probs.scatter_(0, labels[None], confidence)
    return probs


def random_probs(seed: int, shape: tuple[int, int, int]) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=generator) * 2).softmax(dim=0)


def entropy_histogram(classes: torch.Tensor, num_classes: int) -> float:
    """Entropy over ``log C`` of the class histogram of ``classes``."""
    share = torch.bincount(classes.reshape(-1), minlength=num_classes).double() / classes.numel()
    return float(-torch.xlogy(share, share).sum()) / math.log(num_classes)


def reference_maps(prob1: torch.Tensor, prob2: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """B's class and pixel entropy over log C, in float64, the textbook way."""
    mean = (prob1.double() + prob2.double()) / 2
    entropy = -torch.xlogy(mean, mean).sum(dim=0) / math.log(mean.shape[0])
    return mean.argmax(dim=0), entropy


def reference_regions(prob1, prob2, budget, labeled, radius=1):
    """RIPU's region loop, one pick at a time: the best window holding no labeled pixel,
    ties to the lowest row-major centre, until the next one does not fit in the budget."""
    labels, entropy = reference_maps(prob1, prob2)
    height, width = labels.shape
    num_classes = prob1.shape[0]
    score = torch.full((height, width), -math.inf, dtype=torch.float64)
    windows = {}
    for h in range(height):
        for w in range(width):
            rows = slice(max(h - radius, 0), h + radius + 1)
            cols = slice(max(w - radius, 0), w + radius + 1)
            windows[h, w] = (rows, cols)
            if not labeled[rows, cols].any():
                score[h, w] = (entropy_histogram(labels[rows, cols], num_classes)
                               * float(entropy[rows, cols].mean()))
    picked = torch.zeros(height, width, dtype=torch.bool)
    left = budget
    while score.max() > -math.inf:
        h, w = divmod(int(score.view(-1).argmax()), width)  # first maximum
        rows, cols = windows[h, w]
        if picked[rows, cols].numel() > left:
            break
        picked[rows, cols] = True
        left -= picked[rows, cols].numel()
        score[max(h - 2 * radius, 0):h + 2 * radius + 1,
              max(w - 2 * radius, 0):w + 2 * radius + 1] = -math.inf
    return picked


def reference_pixels(prob1, prob2, budget, labeled, window, block):
    """RIPU's pixel loop with an exact ``window x window`` purity window: pixel entropy x
    window impurity, best first, each pick (and each labeled pixel) blocking ``block``."""
    labels, entropy = reference_maps(prob1, prob2)
    height, width = labels.shape
    half = window // 2
    score = torch.empty(height, width, dtype=torch.float64)
    for h in range(height):
        for w in range(width):
            part = labels[max(h - half, 0):h + half + 1, max(w - half, 0):w + half + 1]
            score[h, w] = entropy[h, w] * entropy_histogram(part, prob1.shape[0])
    for h, w in labeled.nonzero().tolist():
        score[max(h - block, 0):h + block + 1, max(w - block, 0):w + block + 1] = -math.inf
    picked = torch.zeros(height, width, dtype=torch.bool)
    for _ in range(budget):
        if score.max() == -math.inf:
            break
        h, w = divmod(int(score.view(-1).argmax()), width)
        picked[h, w] = True
        score[max(h - block, 0):h + block + 1, max(w - block, 0):w + block + 1] = -math.inf
    return picked


def test_the_strategies_are_registered_under_their_names():
    assert SELECTION_STRATEGIES.get('ripu_regions') is select_ripu_regions
    assert get_strategy('ripu_pixels') is select_ripu_pixels


def test_a_selection_round_runs_them_with_their_options():
    """The round's one-pixel probe passes, and strategy_cfg reaches the strategy."""
    SelectionRound(strategy='ripu_regions', budget=0.022, strategy_cfg=dict(radius=2))
    with pytest.raises(ValueError, match='block_radius'):
        SelectionRound(strategy='ripu_pixels', budget=40, strategy_cfg=dict(block_radius=-1))


def test_rounds_carry_what_whole_windows_leave_unspent():
    """At 0.25% of a 128 x 256 image over 5 rounds (16 or 17 pixels a round), whole 3 x 3
    windows would spend one window a round, 45 of 82 pixels; carrying each round's rest to the
    next spends the image's budget to within one window. A strategy that spends its share
    (random) gets exactly its share every round."""
    for strategy in ('ripu_regions', 'random'):
        selection = SelectionRound(strategy=strategy, budget=0.0025, num_rounds=5, seed=0)
        labeled = torch.zeros(128, 256, dtype=torch.bool)
        spent = []
        for round_idx in range(5):
            prob1, prob2 = random_probs(round_idx, (19, 128, 256)), random_probs(9, (19, 128, 256))
            picked = selection.select(prob1, prob2, round_idx, 0, labeled)
            assert not (picked & labeled).any()
            labeled |= picked
            spent.append(int(picked.sum()))
        assert sum(selection.image_budget(128 * 256, r) for r in range(5)) == 82
        if strategy == 'random':
            assert spent == [selection.image_budget(128 * 256, r) for r in range(5)]
        else:
            assert 82 - 9 < sum(spent) <= 82


def test_the_one_impure_uncertain_window_is_picked_first():
    """Everything is class 0 and confident but one 3x3 window: classes 0 and 1 mixed (4 / 5),
    every pixel at 50/50. Windows overlapping it are less impure or less uncertain."""
    labels = torch.zeros(10, 12, dtype=torch.long)
    probs = one_hot_probs(labels, 3, 0.98)
    window = (slice(4, 7), slice(6, 9))
    mixed = torch.tensor([[0, 1, 0], [1, 0, 1], [0, 1, 1]])
    probs[:, window[0], window[1]] = 0
    probs[0, window[0], window[1]] = 0.5 + 1e-4 * (mixed == 0)
    probs[1, window[0], window[1]] = 0.5 + 1e-4 * (mixed == 1) - 1e-4 * (mixed == 0)
    probs[2, window[0], window[1]] = 1 - probs[0, window[0], window[1]] - probs[1, window[0],
                                                                               window[1]]
    expected = torch.zeros(10, 12, dtype=torch.bool)
    expected[window] = True
    assert torch.equal(select_ripu_regions(probs, probs.clone(), 9), expected)
    # Every window overlapping it is blocked, the others are pure (score 0): the next pick is
    # the lowest centre, (0, 0), its window clipped to 2 x 2 by the border.
    expected[:2, :2] = True
    assert torch.equal(select_ripu_regions(probs, probs.clone(), 18), expected)


def test_a_uniform_map_labels_the_first_windows_in_row_major_order():
    """All scores are 0 (every window pure): ties go to the lowest centre, (0, 0), whose
    window is clipped to 2 x 2 by the border; the next free centre is (0, 3)."""
    probs = torch.full((4, 9, 9), 0.25)
    first = select_ripu_regions(probs, probs.clone(), 4)
    assert first.nonzero().tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    both = select_ripu_regions(probs, probs.clone(), 10)
    assert both.sum() == 10 and both[:2, :5].all()


@pytest.mark.parametrize('seed', range(6))
def test_regions_match_the_greedy_reference(seed):
    """The vectorised selection is the per-pick greedy loop exactly (pool + parallel rounds
    make the same picks); only float rounding (float32 here, float64 there) could swap two
    windows of nearly equal score, which random maps of this size do not produce."""
    shape = (4, 11 + seed, 15)
    prob1, prob2 = random_probs(seed, shape), random_probs(seed + 100, shape)
    generator = torch.Generator().manual_seed(seed)
    labeled = torch.rand(shape[1:], generator=generator) < 0.03 * (seed % 3)
    for budget in (1, 9, 40, 80):
        picked = select_ripu_regions(prob1, prob2, budget, labeled)
        assert torch.equal(picked, reference_regions(prob1, prob2, budget, labeled))
        assert picked.sum() <= budget and not (picked & labeled).any()


@pytest.mark.parametrize('seed', range(4))
def test_pixels_match_the_greedy_reference(seed):
    """With one-pixel cells the purity window is exact; picks are the greedy loop's."""
    shape = (5, 16, 14 + seed)
    prob1, prob2 = random_probs(seed, shape), random_probs(seed + 50, shape)
    generator = torch.Generator().manual_seed(seed)
    labeled = torch.rand(shape[1:], generator=generator) < 0.01 * seed
    for budget, block in ((1, 2), (6, 2), (8, 3), (40, 1)):
        picked = select_ripu_pixels(prob1, prob2, budget, labeled, cell_size=1, purity_cells=5,
                                    block_radius=block)
        expected = reference_pixels(prob1, prob2, budget, labeled, 5, block)
        assert torch.equal(picked, expected)


def test_the_pixel_of_highest_impurity_times_uncertainty_is_picked():
    """The most uncertain pixel lies in a pure area (impurity 0): the pick is the uncertain
    pixel among mixed classes, less uncertain but the one of highest product."""
    labels = torch.zeros(20, 20, dtype=torch.long)
    labels[:, 12:] = torch.arange(8) % 2  # stripes of classes 0 and 1 on the right
    probs = one_hot_probs(labels, 3, 0.9)
    probs[:, 5, 3] = torch.tensor([0.34, 0.33, 0.33], dtype=torch.float64)  # pure area
    probs[:, 9, 15] = torch.tensor([0.1, 0.6, 0.3], dtype=torch.float64)
    picked = select_ripu_pixels(probs, probs.clone(), 1, cell_size=1, purity_cells=5)
    assert picked.nonzero().tolist() == [[9, 15]]


def test_points_respect_the_budget_the_labels_and_each_other():
    prob1, prob2 = random_probs(0, (19, 96, 160)), random_probs(1, (19, 96, 160))
    labeled = torch.zeros(96, 160, dtype=torch.bool)
    labeled[40, 70] = True
    picked = select_ripu_pixels(prob1, prob2, 8, labeled, block_radius=10)
    points = picked.nonzero()
    assert points.shape[0] == 8
    gaps = (points[:, None] - points[None]).abs().amax(dim=-1)
    assert (gaps + 11 * torch.eye(8, dtype=torch.long) > 10).all()
    assert ((points - torch.tensor([40, 70])).abs().amax(dim=-1) > 10).all()


def test_regions_spend_the_budget_to_within_one_window_and_skip_labeled_windows():
    prob1, prob2 = random_probs(2, (19, 64, 96)), random_probs(3, (19, 64, 96))
    labeled = random_probs(4, (2, 64, 96))[0] > 0.9
    for budget in (100, 555, 1000):
        picked = select_ripu_regions(prob1, prob2, budget, labeled)
        assert budget - 9 < picked.sum() <= budget
        assert not (picked & labeled).any()


def test_cells_snap_the_purity_window_to_a_grid():
    """With cells of 4 pixels and a window of one cell, a pixel's impurity is its cell's."""
    labels = torch.randint(0, 3, (10, 13), generator=torch.Generator().manual_seed(0))
    impurity = cell_impurity(labels, 3, 4, 0)
    for h in range(10):
        for w in range(13):
            cell = labels[h // 4 * 4:h // 4 * 4 + 4, w // 4 * 4:w // 4 * 4 + 4]
            assert impurity[h, w] == pytest.approx(entropy_histogram(cell, 3), abs=1e-6)


def test_bad_options_are_rejected():
    probs = torch.full((2, 4, 4), 0.5)
    with pytest.raises(ValueError, match='radius'):
        select_ripu_regions(probs, probs, 4, radius=-1)
    with pytest.raises(ValueError, match='odd'):
        select_ripu_pixels(probs, probs, 4, purity_cells=4)


def test_a_budget_larger_than_the_candidates_ends_on_a_sampled_image():
    """Above 2 x 65,536 pixels the pool's threshold comes from a strided sample; when the
    budget cannot be filled, both strategies end with every candidate they may take (before,
    the pool grew for ever)."""
    size = 370  # 136,900 pixels: a sample of every second one
    probs = random_probs(0, (3, size, size))
    regions = select_ripu_regions(probs, probs, size * size)
    assert size * size // 2 < regions.sum() <= size * size
    points = select_ripu_pixels(probs, probs, 5000, block_radius=32)
    assert 0 < points.sum() <= (size // 33 + 1) ** 2


def test_a_large_pure_window_has_no_impurity():
    """Windows of more than 255 pixels (radius 8: 17 x 17) count their pixels without
    overflow: a pure window's impurity is 0."""
    from labor_mmseg.selection.ripu import window_impurity, window_pixels
    labels = torch.zeros(20, 20, dtype=torch.long)
    count = window_pixels(labels.shape, 8, torch.float32)
    assert window_impurity(labels, 8, 19, count).abs().max() == 0


def test_the_cache_sized_chunks_change_no_bit(monkeypatch):
    """The full-map passes run in cache-sized chunks. On the synthetic benchmark's maps (19
    classes, 128 x 256) the scores equal one chunk's bit for bit, so a chunk size never
    changes a pick; the impurity's row blocks (elementwise) give the same bits for any split."""
    from labor_mmseg.selection import ripu
    prob1, prob2 = random_probs(3, (19, 128, 256)), random_probs(4, (19, 128, 256))
    count = ripu.window_pixels((128, 256), 2, torch.float32)
    labels, entropy = ripu.mean_prediction_maps(prob1, prob2)
    impurity = ripu.window_impurity(labels, 2, 19, count)
    monkeypatch.setattr(ripu, 'CACHE_PIXELS', 128 * 256)  # the whole map in one chunk
    monkeypatch.setattr(ripu, 'IMPURITY_PIXELS', 256 * 5)  # blocks of 5 rows, the last of 3
    whole_labels, whole_entropy = ripu.mean_prediction_maps(prob1, prob2)
    assert torch.equal(whole_labels, labels) and torch.equal(whole_entropy, entropy)
    assert torch.equal(ripu.window_impurity(labels, 2, 19, count), impurity)
