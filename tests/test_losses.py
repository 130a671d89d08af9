"""LabOR's losses on hand-computed tensors."""
import math

import pytest
import torch

from labor_mmseg.models import DiscrepancyLoss, OutputAlignmentHead, pseudo_labels


def test_discrepancy_zero_when_heads_agree():
    logits = torch.randn(2, 5, 4, 4)
    assert DiscrepancyLoss()(logits, logits.clone()).item() == 0.0


def test_discrepancy_hand_computed():
    # Two classes, one pixel: softmax(0, 0) = (0.5, 0.5); softmax(log 3, 0) = (0.75, 0.25).
    logits1 = torch.zeros(1, 2, 1, 1)
    logits2 = torch.tensor([math.log(3.0), 0.0]).view(1, 2, 1, 1)
    # mean over classes of |p1 - p2| = (0.25 + 0.25) / 2
    assert DiscrepancyLoss()(logits1, logits2).item() == pytest.approx(0.25)
    assert DiscrepancyLoss(loss_weight=2.0)(logits1, logits2).item() == pytest.approx(0.5)


def test_pseudo_labels_threshold_and_true_labels():
    probs = torch.tensor([[0.95, 0.6, 0.2], [0.05, 0.4, 0.8]]).view(1, 2, 1, 3)
    assert pseudo_labels(probs, 0.7).tolist() == [[[0, 255, 1]]]
    labels = torch.tensor([[[255, 1, 0]]])
    assert pseudo_labels(probs, 0.7, labels).tolist() == [[[0, 1, 0]]]


def test_pseudo_labels_keep_each_class_top_fraction_per_image():
    # Image 0: class 0 at confidence 0.95, 0.6, 0.55, 0.5; class 1 at 0.8, 0.7 (rare, never
    # sure). Image 1: class 1 everywhere, all sure. Fraction 0.5 keeps 2 of class 0's 4 pixels
    # (the 0.95 it keeps anyway, and the 0.6) and 1 of class 1's 2 (the 0.8).
    p0 = torch.tensor([0.95, 0.6, 0.55, 0.5, 0.2, 0.3])
    probs = torch.stack([torch.stack([p0, 1 - p0]),
                         torch.stack([torch.full((6,), 0.05), torch.full((6,), 0.95)])])
    probs = probs.view(2, 2, 2, 3)
    assert pseudo_labels(probs, 0.9).view(2, 6).tolist() == [
        [0, 255, 255, 255, 255, 255], [1] * 6]
    assert pseudo_labels(probs, 0.9, class_fraction=0.5).view(2, 6).tolist() == [
        [0, 0, 255, 255, 1, 255], [1] * 6]
    assert pseudo_labels(probs, 0.9, class_fraction=1.0).view(2, 6).tolist() == [
        [0, 0, 0, 0, 1, 1], [1] * 6]
    with pytest.raises(ValueError, match='class_fraction'):
        pseudo_labels(probs, 0.9, class_fraction=1.5)


def test_discriminator_losses_hand_computed():
    head = OutputAlignmentHead(num_classes=2, channels=(4,))
    for p in head.parameters():  # zero weights: every domain logit is 0, sigmoid 0.5
        torch.nn.init.zeros_(p)
    probs = torch.full((1, 2, 8, 8), 0.5)
    assert head.domain_logits(probs).shape == (1, 1, 2, 2)
    assert head(probs, probs).item() == pytest.approx(math.log(2))
    assert head.loss_adversarial(probs).item() == pytest.approx(math.log(2))


def test_discriminator_learns_to_separate_domains():
    torch.manual_seed(0)
    head = OutputAlignmentHead(num_classes=3, channels=(8, 8))
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-2)
    source = torch.softmax(torch.randn(4, 3, 16, 16) * 4, 1)  # confident maps
    target = torch.full((4, 3, 16, 16), 1 / 3)  # uniform maps
    first = head(source, target).item()
    for _ in range(30):
        optimizer.zero_grad()
        head(source, target).backward()
        optimizer.step()
    assert head(source, target).item() < first / 2
    # Target maps now look like target: fooling D costs more than at the start.
    assert head.loss_adversarial(target).item() > math.log(2)
