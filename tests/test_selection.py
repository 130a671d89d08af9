"""Tests for ``labor_mmseg.selection``: discrepancy, SPL, PPL, baselines and the registry."""

import math

import pytest
import torch

from labor_mmseg.labeling.oracles.base import Oracle, RoundRequest
from labor_mmseg.labeling.selection_round import SelectionRound
from labor_mmseg.selection import (
    budget_in_pixels,
    class_argmax,
    class_quotas,
    classifier_discrepancy,
    get_strategy,
    inconsistency_mask,
    pick_per_class,
    select_entropy,
    select_ppl,
    select_random,
    select_spl,
    strategy_names,
)
from labor_mmseg.selection import primitives as primitives_module
from labor_mmseg.selection import quotas as quotas_module
from labor_mmseg.selection.boundaries import class_boundaries
from labor_mmseg.selection.rank_keys import KEY_BIN_SHIFT

CONSISTENT = (0.9, 0.1)  # both heads say class 0


def two_class_maps(pixels: list[tuple[tuple[float, float], tuple[float, float]]]):
    """[2, 1, W] maps of prob1 and prob2 from per-pixel (p1, p2) class-probability pairs."""
    prob1 = torch.tensor([p1 for p1, _ in pixels], dtype=torch.float64).T.reshape(2, 1, -1)
    prob2 = torch.tensor([p2 for _, p2 in pixels], dtype=torch.float64).T.reshape(2, 1, -1)
    return prob1, prob2


def disagreeing(a: float, b: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """A pixel where head 1 says class 0, head 2 class 1; its discrepancy is a + b."""
    return (0.5 + a, 0.5 - a), (0.5 - b, 0.5 + b)


def random_pair(c: int, h: int, w: int, seed: int, noise: float = 1.0):
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(c, h, w, generator=gen, dtype=torch.float64)
    other = logits + noise * torch.randn(c, h, w, generator=gen, dtype=torch.float64)
    return logits.softmax(0), other.softmax(0)


def picked(mask: torch.Tensor) -> list[int]:
    return mask.view(-1).nonzero().squeeze(1).tolist()


# --- discrepancy -------------------------------------------------------------------------------

def test_agreeing_heads_have_no_inconsistency_and_zero_discrepancy():
    prob, _ = random_pair(5, 4, 6, seed=0)
    assert not inconsistency_mask(prob, prob.clone()).any()
    zeros = torch.zeros(4, 6, dtype=prob.dtype)
    assert torch.equal(classifier_discrepancy(prob, prob.clone()), zeros)


def test_discrepancy_and_inconsistency_hand_computed():
    prob1, prob2 = two_class_maps([
        ((0.9, 0.1), (0.6, 0.4)),  # agree, |diff| = (0.3, 0.3) -> 0.3
        ((0.8, 0.2), (0.3, 0.7)),  # disagree, |diff| = (0.5, 0.5) -> 0.5
        ((0.25, 0.75), (0.35, 0.65)),  # agree on class 1, 0.1
    ])
    disc = classifier_discrepancy(prob1, prob2)
    assert disc.shape == (1, 3)
    assert torch.allclose(disc, torch.tensor([[0.3, 0.5, 0.1]], dtype=torch.float64))
    assert inconsistency_mask(prob1, prob2).tolist() == [[False, True, False]]


def test_discrepancy_is_batched_and_class_averaged():
    prob1, prob2 = random_pair(3, 2, 5, seed=1)
    batch1, batch2 = torch.stack([prob1, prob2]), torch.stack([prob2, prob2])
    disc = classifier_discrepancy(batch1, batch2)
    assert disc.shape == (2, 2, 5)
    expected = sum((prob1[c] - prob2[c]).abs() for c in range(3)) / 3
    assert torch.allclose(disc[0], expected)
    assert torch.equal(disc[1], torch.zeros(2, 5, dtype=disc.dtype))
    assert inconsistency_mask(batch1, batch2).shape == (2, 2, 5)


def test_discrepancy_is_differentiable():
    logits1 = torch.randn(2, 3, 4, 4, dtype=torch.float64, requires_grad=True)
    logits2 = torch.randn(2, 3, 4, 4, dtype=torch.float64)
    classifier_discrepancy(logits1.softmax(1), logits2.softmax(1)).mean().backward()
    reference = (logits1.softmax(1) - logits2.softmax(1)).abs().mean()
    assert torch.allclose(logits1.grad, torch.autograd.grad(reference, logits1)[0])


@pytest.mark.parametrize('dtype', [torch.float64, torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize('num_classes', [1, 2, 6, 33, 300])
def test_class_argmax_is_the_first_maximum_like_torch_argmax(dtype, num_classes, monkeypatch):
    gen = torch.Generator().manual_seed(num_classes)
    prob = torch.randint(0, 4, (2, num_classes, 5, 7), generator=gen).to(dtype) / 3  # many ties
    prob[0, :, 0, 0] = 0
    prob[1, :, 2, 3] = torch.rand(num_classes, generator=gen).to(dtype) * 1e-3
    for argmax_chunk in (7, primitives_module.ARGMAX_CHUNK):  # partial chunks, one chunk
        monkeypatch.setattr(primitives_module, 'ARGMAX_CHUNK', argmax_chunk)
        assert torch.equal(class_argmax(prob), prob.argmax(dim=1))
        assert torch.equal(class_argmax(prob[0]), prob[0].argmax(dim=0))


def test_mismatched_shapes_raise():
    with pytest.raises(ValueError, match='differ in shape'):
        classifier_discrepancy(torch.rand(3, 2, 2), torch.rand(4, 2, 2))


# --- SPL ---------------------------------------------------------------------------------------

def spl_example():
    # discrepancies at the inconsistent pixels 1, 3, 4, 6: 0.2, 0.5, 0.3, 0.4
    return two_class_maps([
        (CONSISTENT, CONSISTENT),
        disagreeing(0.1, 0.1),
        (CONSISTENT, (0.6, 0.4)),
        disagreeing(0.2, 0.3),
        disagreeing(0.1, 0.2),
        (CONSISTENT, CONSISTENT),
        disagreeing(0.2, 0.2),
    ])


def test_spl_takes_every_inconsistent_pixel_within_budget():
    prob1, prob2 = spl_example()
    assert torch.equal(select_spl(prob1, prob2, 4), inconsistency_mask(prob1, prob2))
    # A larger budget takes the mask, then the most discrepant of the rest: pixel 2 (0.2).
    assert picked(select_spl(prob1, prob2, budget=5)) == [1, 2, 3, 4, 6]
    assert picked(select_spl(prob1, prob2, budget=100)) == list(range(7))


def test_spl_small_budget_spreads_over_classes_most_discrepant_first():
    # Classes by the mean prediction: 1 and 6 are class 0 (discrepancy 0.2, 0.4), 3 and 4
    # class 1 (0.5, 0.3). Ranking the whole mask would take 3, then 6, then 4.
    prob1, prob2 = spl_example()
    assert picked(select_spl(prob1, prob2, budget=1)) == [6]  # remainder: lower class on ties
    assert picked(select_spl(prob1, prob2, budget=2)) == [3, 6]
    assert picked(select_spl(prob1, prob2, budget=3)) == [1, 3, 6]


def test_spl_never_picks_labeled_pixels():
    prob1, prob2 = spl_example()
    labeled = torch.zeros(1, 7, dtype=torch.bool)
    labeled[0, 3] = True
    assert picked(select_spl(prob1, prob2, budget=2, labeled=labeled)) == [4, 6]
    assert picked(select_spl(prob1, prob2, budget=3, labeled=labeled)) == [1, 4, 6]
    assert picked(select_spl(prob1, prob2, budget=9, labeled=labeled)) == [0, 1, 2, 4, 5, 6]


def test_spl_ties_go_to_the_lowest_index():
    prob1, prob2 = two_class_maps([disagreeing(0.25, 0.25)] * 5)
    assert picked(select_spl(prob1, prob2, budget=2)) == [0, 1]


def voted_class(prob1, prob2, i: int) -> int:
    """Of the two classes the heads vote for at flat pixel i, the one of higher mean probability
    (ties: the lower class)."""
    num_classes = prob1.shape[0]
    p1, p2 = prob1.reshape(num_classes, -1)[:, i], prob2.reshape(num_classes, -1)[:, i]
    v1, v2 = int(p1.argmax()), int(p2.argmax())
    s1, s2 = (p1[v1] + p2[v1]).item(), (p1[v2] + p2[v2]).item()
    return v2 if s2 > s1 or (s2 == s1 and v2 < v1) else v1


def candidates_by_class(prob1, prob2, labeled, budget, held=None):
    """Reference grouping: unlabeled inconsistent pixels by voted class, and each class's quota."""
    by_class = {}
    for i in picked(inconsistency_mask(prob1, prob2) & ~labeled):
        by_class.setdefault(voted_class(prob1, prob2, i), []).append(i)
    counts = torch.zeros(prob1.shape[0], dtype=torch.long)
    for k, members in by_class.items():
        counts[k] = len(members)
    return by_class, class_quotas(counts, budget, held)


def top_up_reference(prob1, prob2, chosen, labeled, budget):
    """The rest of the budget from the other unlabeled pixels: most discrepant first, then the
    most uncertain mean prediction, then the lowest index."""
    mean = (prob1 + prob2) / 2
    entropy = -(mean * mean.clamp_min(1e-12).log()).sum(0).view(-1)
    disc = classifier_discrepancy(prob1, prob2).view(-1)
    rest = [i for i in picked(~labeled) if i not in chosen]
    rest.sort(key=lambda i: (-disc[i].item(), -entropy[i].item(), i))
    return sorted(chosen + rest[:budget - len(chosen)])


def spl_reference(prob1, prob2, budget, labeled):
    """Per-class loops written from the definition, for comparison."""
    cand = picked(inconsistency_mask(prob1, prob2) & ~labeled)
    if len(cand) <= budget:
        return top_up_reference(prob1, prob2, cand, labeled, budget)
    disc = classifier_discrepancy(prob1, prob2).view(-1)
    by_class, quotas = candidates_by_class(prob1, prob2, labeled, budget)
    chosen = []
    for k, members in by_class.items():
        chosen += sorted(members, key=lambda i: (-disc[i].item(), i))[:quotas[k]]
    return sorted(chosen)


@pytest.fixture(params=[None, 7], ids=['one-chunk', 'chunks-of-7'])
def chunk(request, monkeypatch):
    """Run with the default pixel chunk, and with chunks of 7 pixels (many partial chunks)."""
    if request.param is not None:
        monkeypatch.setattr(primitives_module, 'CHUNK', request.param)
        monkeypatch.setattr(primitives_module, 'ARGMAX_CHUNK', request.param)


@pytest.mark.parametrize(('noise', 'dense'), [(0.5, False), (50.0, True)])
def test_spl_matches_a_per_class_reference(noise, dense, chunk):
    prob1, prob2 = random_pair(4, 9, 11, seed=2, noise=noise)
    labeled = torch.rand(9, 11, generator=torch.Generator().manual_seed(3)) < 0.05
    candidates = picked(inconsistency_mask(prob1, prob2) & ~labeled)
    assert len(candidates) > 5
    assert (2 * len(candidates) > 99) == dense  # SPL works on full maps past half the pixels
    for budget in (1, 3, 5, len(candidates) - 1, len(candidates), 500):
        mask = select_spl(prob1, prob2, budget, labeled)
        assert picked(mask) == spl_reference(prob1, prob2, budget, labeled)
        assert mask.sum() == min(budget, int((~labeled).sum()))  # the budget, always spent


# --- PPL ---------------------------------------------------------------------------------------

def test_ppl_picks_the_pixel_nearest_to_the_class_prototype():
    # Five inconsistent pixels, all predicted class 0; features 0, 1, 2, 3, 10 -> mean 3.2.
    prob1, prob2 = two_class_maps([disagreeing(0.3, 0.1)] * 5)
    features = torch.tensor([0.0, 1.0, 2.0, 3.0, 10.0]).view(1, 1, 5)
    assert picked(select_ppl(prob1, prob2, 1, features=features)) == [3]
    assert picked(select_ppl(prob1, prob2, 2, features=features)) == [2, 3]


def test_ppl_default_features_are_the_mean_probabilities():
    # Mean class-0 probabilities 0.55, 0.7, 0.6 (heads disagree) -> prototype 0.6167 -> pixel 2.
    prob1, prob2 = two_class_maps([
        ((0.7, 0.3), (0.4, 0.6)),
        ((1.0, 0.0), (0.4, 0.6)),
        ((0.9, 0.1), (0.3, 0.7)),
        (CONSISTENT, CONSISTENT),
    ])
    assert picked(select_ppl(prob1, prob2, 1)) == [2]


def ppl_two_class_example(n0: int, n1: int):
    """n0 inconsistent pixels predicted class 0 (mean prob 0.6), then n1 predicted class 1."""
    pixels = [((0.9, 0.1), (0.3, 0.7))] * n0 + [((0.1, 0.9), (0.7, 0.3))] * n1
    return two_class_maps(pixels)


def test_ppl_spreads_the_budget_over_classes():
    prob1, prob2 = ppl_two_class_example(5, 5)
    mask = select_ppl(prob1, prob2, 4)
    assert picked(mask) == [0, 1, 5, 6]  # 2 each; equal distances go to the lowest index
    prob1, prob2 = ppl_two_class_example(1, 6)
    mask = select_ppl(prob1, prob2, 4).view(-1)
    assert mask[:1].sum() == 1 and mask[1:].sum() == 3
    prob1, prob2 = ppl_two_class_example(2, 6)
    mask = select_ppl(prob1, prob2, 3).view(-1)  # share 1 each, the remainder to the larger class
    assert mask[:2].sum() == 1 and mask[2:].sum() == 2


def test_ppl_tops_up_the_classes_labeled_least():
    # Class 0 already holds two labeled points: one new point goes to class 1, which has fewer
    # candidates (without the labeled points it would go to the class of more candidates).
    prob1, prob2 = ppl_two_class_example(6, 2)
    labeled = torch.zeros(1, 8, dtype=torch.bool)
    assert select_ppl(prob1, prob2, 1).view(-1)[:6].sum() == 1
    labeled[0, :2] = True
    mask = select_ppl(prob1, prob2, 1, labeled).view(-1)
    assert mask[6:].sum() == 1
    labeled[0, 1], labeled[0, 6] = False, True  # one each: the class of more candidates again
    assert select_ppl(prob1, prob2, 1, labeled).view(-1)[:6].sum() == 1


def test_ppl_never_picks_labeled_pixels():
    prob1, prob2 = two_class_maps([disagreeing(0.3, 0.1)] * 5)
    features = torch.tensor([0.0, 1.0, 2.0, 3.0, 10.0]).view(1, 1, 5)
    labeled = torch.tensor([[False, False, False, True, False]])
    # prototype of the remaining candidates: (0 + 1 + 2 + 10) / 4 = 3.25 -> pixel 2 (value 2)
    assert picked(select_ppl(prob1, prob2, 1, labeled, features)) == [2]
    assert picked(select_ppl(prob1, prob2, 9, labeled, features)) == [0, 1, 2, 4]


def ppl_reference(prob1, prob2, budget, labeled, features):
    """Per-class loops written from the definition, for comparison."""
    feats = features.reshape(features.shape[0], -1)
    held = torch.zeros(prob1.shape[0], dtype=torch.long)
    for i in picked(labeled):
        held[voted_class(prob1, prob2, i)] += 1
    by_class, quotas = candidates_by_class(prob1, prob2, labeled, budget, held)
    chosen = []
    for k, members in by_class.items():
        mu = feats[:, members].mean(dim=1, keepdim=True)
        dist = ((feats[:, members] - mu) ** 2).sum(dim=0)
        ranked = sorted(range(len(members)), key=lambda j: (dist[j].item(), members[j]))
        chosen += [members[j] for j in ranked[:quotas[k]]]
    return top_up_reference(prob1, prob2, sorted(chosen), labeled, budget)


@pytest.mark.parametrize(('seed', 'noise', 'dense'),
                         [(0, 0.7, False), (1, 0.7, False), (2, 0.7, False), (3, 50.0, True)])
def test_ppl_matches_a_per_class_reference_with_exact_count(seed, noise, dense, chunk):
    prob1, prob2 = random_pair(5, 12, 10, seed=seed, noise=noise)
    gen = torch.Generator().manual_seed(seed + 10)
    labeled = torch.rand(12, 10, generator=gen) < 0.1
    features = torch.randn(3, 12, 10, generator=gen, dtype=torch.float64)
    num_candidates = int((inconsistency_mask(prob1, prob2) & ~labeled).sum())
    assert num_candidates > 20
    assert (2 * num_candidates > 120) == dense  # PPL works on full maps past half the pixels
    mean = (prob1 + prob2) / 2
    for budget in (1, 7, 20, num_candidates, 1000):
        for feats, reference_feats in ((features, features), (mean, mean), (None, mean)):
            mask = select_ppl(prob1, prob2, budget, labeled, feats)
            assert mask.sum() == min(budget, int((~labeled).sum()))  # always spent
            assert picked(mask) == ppl_reference(prob1, prob2, budget, labeled, reference_feats)


def test_class_boundaries_hand_computed():
    classes = torch.tensor([[0, 0, 0, 0, 1],
                            [0, 0, 0, 0, 1],
                            [0, 0, 0, 0, 1],
                            [2, 2, 2, 2, 2]])
    expected = torch.tensor([[0, 0, 0, 1, 1],
                             [0, 0, 0, 1, 1],
                             [1, 1, 1, 1, 1],
                             [1, 1, 1, 1, 1]], dtype=torch.bool)
    assert torch.equal(class_boundaries(classes, 1), expected)
    wider = class_boundaries(classes, 2)
    assert not wider[0, :2].any()
    assert wider[0, 2] and wider[1, 0]  # class 1 two columns away, class 2 two rows away


@pytest.mark.parametrize('radius', [1, 2, 3])
def test_class_boundaries_match_a_window_max_min_reference(radius):
    classes = torch.randint(0, 3, (23, 31), generator=torch.Generator().manual_seed(radius))
    window = dict(kernel_size=2 * radius + 1, stride=1, padding=radius)
    values = classes[None, None].double()
    reference = torch.nn.functional.max_pool2d(values, **window) != -torch.nn.functional.max_pool2d(
        -values, **window)
    assert torch.equal(class_boundaries(classes.to(torch.int16), radius), reference[0, 0])


def interior_example():
    """[4, 5, 7] maps in class 1's region: the heads disagree on a 3x3 block (rows 1-3, columns
    1-3; class 0 voted) and on column 5 (class 1 voted, like its surroundings); features put
    the block's border pixels nearest the class-0 prototype."""
    head1 = torch.ones(5, 7, dtype=torch.long)
    head2 = head1.clone()
    head1[1:4, 1:4], head2[1:4, 1:4] = 0, 2
    head2[:, 5] = 3
    # Head 1 is the surer (0.7 against 0.625), so its class has the higher mean.
    prob1 = torch.nn.functional.one_hot(head1, 4).permute(2, 0, 1).double() * 0.6 + 0.1
    prob2 = torch.nn.functional.one_hot(head2, 4).permute(2, 0, 1).double() * 0.5 + 0.125
    features = torch.zeros(1, 5, 7, dtype=torch.float64)
    features[0, 2, 2] = 5.0  # the block's centre lies far from the block's mean feature
    return prob1, prob2, features


def test_ppl_interior_candidates_come_before_boundary_ones():
    prob1, prob2, features = interior_example()
    # Only the block's centre is interior to class 0 (its 3x3 window is all class 0); the
    # paper's rule picks a border pixel, nearer the prototype.
    plain = select_ppl(prob1, prob2, 2, features=features)
    interior = select_ppl(prob1, prob2, 2, features=features, boundary_radius=1)
    assert plain.view(-1)[2 * 7 + 2] == 0
    assert interior[2, 2] and interior.sum() == 2
    # The column's voted class is its surroundings': interior, whatever the heads dispute.
    assert interior[:, 5].sum() == 1 == plain[:, 5].sum()
    assert not class_boundaries(torch.ones(5, 7, dtype=torch.long), 1).any()
    # More points than interior candidates: the rest are boundary pixels, nearest first.
    assert select_ppl(prob1, prob2, 4, features=features, boundary_radius=1)[1:4, 1:4].sum() == 2


def test_spl_interior_candidates_come_before_more_discrepant_boundary_ones():
    prob1, prob2, _ = interior_example()
    prob1[:, 1, 1] = torch.tensor([0.8, 0.1, 0.05, 0.05], dtype=torch.float64)  # more discrepant
    assert picked(select_spl(prob1, prob2, 2)) == [5, 8]  # column 5's first pixel, and (1, 1)
    interior = select_spl(prob1, prob2, 2, boundary_radius=1)
    assert interior[2, 2] and interior[:, 5].sum() == 1 and interior.sum() == 2
    with pytest.raises(ValueError, match='boundary_radius'):
        select_spl(prob1, prob2, 2, boundary_radius=-1)


def test_ppl_boundary_radius_zero_is_the_papers_rule():
    prob1, prob2 = random_pair(5, 12, 10, seed=4, noise=0.7)
    assert torch.equal(select_ppl(prob1, prob2, 7), select_ppl(prob1, prob2, 7, boundary_radius=0))


@pytest.mark.parametrize('radius', [-1, 1.5, True, '1'])
def test_ppl_rejects_bad_boundary_radius(radius):
    prob1, prob2 = random_pair(3, 4, 4, seed=0)
    with pytest.raises(ValueError, match='boundary_radius'):
        select_ppl(prob1, prob2, 2, boundary_radius=radius)


def test_ppl_rejects_features_of_the_wrong_size():
    prob1, prob2 = random_pair(3, 4, 4, seed=0)
    with pytest.raises(ValueError, match='features'):
        select_ppl(prob1, prob2, 2, features=torch.rand(8, 4, 5))


def quotas_reference(counts: list[int], k: int, held: list[int]) -> list[int]:
    """One point at a time to the class of fewest points (held + quota) with candidates left;
    ties to the class of most candidates, then the lower index."""
    quota = [0] * len(counts)
    for _ in range(min(k, sum(counts))):
        open_classes = [c for c in range(len(counts)) if quota[c] < counts[c]]
        quota[min(open_classes, key=lambda c: (held[c] + quota[c], -counts[c], c))] += 1
    return quota


@pytest.mark.parametrize('seed', [0, 1])
def test_pick_per_class_minima_and_sort_agree(seed, monkeypatch):
    gen = torch.Generator().manual_seed(seed)
    classes = torch.randint(0, 5, (300,), generator=gen)
    rank_key = torch.randint(0, 20, (300,), generator=gen)  # many ties
    for budget in (1, 4, 17, 40, 299, 300):
        results = []
        for rounds in (0, 1000):  # always sort, always minima
            monkeypatch.setattr(quotas_module, 'MINIMA_ROUNDS', rounds)
            results.append(sorted(pick_per_class(classes, rank_key, 6, budget).tolist()))
        quotas = class_quotas(torch.bincount(classes, minlength=6), budget)
        expected = sorted(i for k in range(6) for i in sorted(
            (i for i in range(300) if classes[i] == k),
            key=lambda i: (rank_key[i].item(), i))[:quotas[k]])
        assert results[0] == results[1] == expected


def test_pick_per_class_sort_prefilters_by_key_bins(monkeypatch):
    monkeypatch.setattr(quotas_module, 'MINIMA_ROUNDS', 0)  # always the sort
    gen = torch.Generator().manual_seed(0)
    classes = torch.randint(0, 5, (2000,), generator=gen)
    # keys over 64 histogram bins, with ties inside and across bins
    rank_key = torch.randint(0, 64 << KEY_BIN_SHIFT, (2000,), generator=gen) // 7
    for budget in (5, 60, 700, 1999):
        quotas = class_quotas(torch.bincount(classes, minlength=6), budget)
        expected = sorted(i for k in range(6) for i in sorted(
            (i for i in range(2000) if classes[i] == k),
            key=lambda i: (rank_key[i].item(), i))[:quotas[k]])
        assert sorted(pick_per_class(classes, rank_key, 6, budget).tolist()) == expected
        kept = quotas_module.within_quota_bins(classes, rank_key, quotas).tolist()
        assert set(expected) <= set(kept) and kept == sorted(kept)
        assert len(kept) < 2000 or budget == 1999  # the histogram rules entries out


def test_class_quotas_hand_cases():
    assert class_quotas(torch.tensor([5, 5]), 4).tolist() == [2, 2]
    assert class_quotas(torch.tensor([1, 6]), 4).tolist() == [1, 3]
    assert class_quotas(torch.tensor([10, 10, 1, 0]), 4).tolist() == [2, 1, 1, 0]
    assert class_quotas(torch.tensor([3, 0, 9]), 40).tolist() == [3, 0, 9]
    # Points already held: the classes holding fewest are topped up first.
    assert class_quotas(torch.tensor([9, 9, 9, 9]), 2, torch.tensor([1, 1, 0, 0])).tolist() == [
        0, 0, 1, 1]
    assert class_quotas(torch.tensor([9, 9, 1, 9]), 6, torch.tensor([3, 1, 0, 0])).tolist() == [
        0, 2, 1, 3]


def test_class_quotas_matches_reference():
    gen = torch.Generator().manual_seed(0)
    for _ in range(300):
        counts = torch.randint(0, 12, (6,), generator=gen) * (torch.rand(6, generator=gen) < 0.7)
        k = int(torch.randint(1, 50, (1,), generator=gen))
        held = torch.randint(0, 8, (6,), generator=gen) * (torch.rand(6, generator=gen) < 0.5)
        for h in (None, held):
            quotas = class_quotas(counts, k, h)
            expected = quotas_reference(counts.tolist(), k, [0] * 6 if h is None else h.tolist())
            assert quotas.tolist() == expected, (counts.tolist(), k, h)
        assert int(quotas.sum()) == min(k, int(counts.sum()))


# --- baselines ---------------------------------------------------------------------------------

def test_random_exact_count_excludes_labeled_and_is_reproducible():
    prob1, prob2 = random_pair(3, 8, 8, seed=0)
    labeled = torch.zeros(8, 8, dtype=torch.bool)
    labeled[:4] = True
    masks = [select_random(prob1, prob2, 10, labeled, torch.Generator().manual_seed(s))
             for s in (7, 7, 8)]
    assert all(int(m.sum()) == 10 and not (m & labeled).any() for m in masks)
    assert torch.equal(masks[0], masks[1])
    assert not torch.equal(masks[0], masks[2])
    assert torch.equal(select_random(prob1, prob2, 99, labeled), ~labeled)


def test_entropy_picks_the_most_uncertain_unlabeled_pixels():
    prob = torch.tensor([[0.99, 0.5, 0.7, 0.55, 0.9]], dtype=torch.float64)
    prob1 = torch.stack([prob, 1 - prob])  # entropy highest at pixel 1, then 3, 2, 4, 0
    assert picked(select_entropy(prob1, prob1, 2)) == [1, 3]
    labeled = torch.tensor([[False, True, False, False, False]])
    assert picked(select_entropy(prob1, prob1, 2, labeled)) == [2, 3]


# --- registry and validation -------------------------------------------------------------------

@pytest.mark.parametrize('name', strategy_names())
def test_every_strategy_has_the_common_interface(name):
    prob1, prob2 = random_pair(4, 10, 10, seed=5, noise=2.0)
    labeled = torch.zeros(10, 10, dtype=torch.bool)
    labeled[::2] = True
    mask = get_strategy(name)(prob1, prob2, 7, labeled)
    assert mask.dtype == torch.bool and mask.shape == (10, 10) and mask.device == prob1.device
    assert not (mask & labeled).any()
    # RIPU keeps its picks away from labeled pixels, so a striped map leaves it fewer.
    assert int(mask.sum()) <= 7 if name.startswith('ripu') else int(mask.sum()) == 7
    with pytest.raises(ValueError, match='budget'):
        get_strategy(name)(prob1, prob2, 0, labeled)
    with pytest.raises(ValueError, match='labeled'):
        get_strategy(name)(prob1, prob2, 3, labeled[:5])


def test_unknown_strategy_lists_known_names():
    with pytest.raises(KeyError, match='entropy, ppl, random, ripu_pixels, ripu_regions, '
                                       'spl.*custom_imports'):
        get_strategy('ripu')


def test_budget_in_pixels():
    assert budget_in_pixels(0.022, 1024 * 2048) == 46137
    assert budget_in_pixels(40, 1024 * 2048) == 40
    assert budget_in_pixels(1, 100) == 1
    assert budget_in_pixels(1.0, 100) == 100
    assert budget_in_pixels(1e-9, 100) == 1


@pytest.mark.parametrize('budget', [0, -3, 0.0, -0.1, 1.5, math.nan])
def test_budget_in_pixels_rejects_bad_budgets(budget):
    with pytest.raises(ValueError, match='budget'):
        budget_in_pixels(budget, 100)


def test_budget_in_pixels_rejects_non_numbers():
    with pytest.raises(TypeError, match='budget'):
        budget_in_pixels('5', 100)
    with pytest.raises(TypeError, match='budget'):
        select_spl(torch.rand(2, 2, 2), torch.rand(2, 2, 2), 2.5)


@pytest.mark.parametrize('strategy', [select_spl, select_ppl])
def test_a_round_spends_its_budget_where_the_heads_agree_everywhere(strategy):
    """Identical heads: no inconsistency at all. The budget goes to the most uncertain pixels
    (equal discrepancy, 0), not to nothing, and never to a labeled pixel."""
    prob = random_pair(3, 6, 7, seed=4, noise=0.5)[0]
    labeled = torch.zeros(6, 7, dtype=torch.bool)
    labeled[0, :3] = True
    mask = strategy(prob, prob.clone(), 5, labeled)
    assert int(mask.sum()) == 5 and not (mask & labeled).any()
    entropy = -(prob * prob.log()).sum(0)
    assert entropy[mask].min() >= entropy[~mask & ~labeled].max()


class _NoOneToAsk(Oracle):
    person = True

    def ask(self, request):
        raise AssertionError(f'asked round {request.number} with {len(request.queries)} queries')


@pytest.mark.parametrize('strategy', ['random', 'ripu_pixels', 'ppl', 'spl'])
def test_a_budget_smaller_than_the_rounds_buys_in_the_last_rounds(strategy, tmp_path):
    """2 points over 5 rounds: shares 0, 0, 0, 1, 1. A round whose share is 0 picks nothing
    (the strategies refuse a budget of 0) and asks no one, not even a person."""
    cfg = dict(block_radius=1) if strategy == 'ripu_pixels' else None  # RIPU's 32 on 6 x 7
    selection = SelectionRound(strategy=strategy, budget=2, num_rounds=5, seed=0,
                               strategy_cfg=cfg)
    labeled = torch.zeros(6, 7, dtype=torch.bool)
    spent = []
    for round_idx in range(5):
        prob1, prob2 = random_pair(3, 6, 7, seed=round_idx, noise=0.5)
        picked = selection.select(prob1, prob2, round_idx, 0, labeled)
        labeled |= picked
        spent.append(int(picked.sum()))
    assert spent == [0, 0, 0, 1, 1]
    selection.set_oracle(_NoOneToAsk(), 'oracle')
    empty = RoundRequest(run_id='run', round_idx=0, iteration=500, strategy=strategy,
                         queries={}, proposals={}, image_paths={}, label_paths={},
                         classes=['a', 'b', 'c'], palette=[[0, 0, 0]] * 3,
                         query_dir=tmp_path / 'round_1')
    assert selection.ask(empty) == {}
    assert not (tmp_path / 'round_1').exists()  # nothing saved for a person either
