"""DeepLabV2Head: four dilated 3x3 classifiers whose logits are summed."""
import pytest
import torch

from labor_mmseg.models import DeepLabV2Head


def test_output_shape_and_dilations():
    head = DeepLabV2Head(in_channels=8, in_index=-1, num_classes=5)
    assert head.dilations == (6, 12, 18, 24)
    assert [conv.dilation for conv in head.aspp] == [(d, d) for d in (6, 12, 18, 24)]
    assert all(conv.kernel_size == (3, 3) and conv.padding == conv.dilation for conv in head.aspp)
    assert not hasattr(head, 'conv_seg')
    out = head([torch.randn(2, 4, 9, 11), torch.randn(2, 8, 9, 11)])
    assert out.shape == (2, 5, 9, 11)


def test_logits_are_the_sum_of_the_branches():
    head = DeepLabV2Head(in_channels=3, num_classes=4, dilations=(1, 2))
    x = torch.randn(1, 3, 6, 6)
    expected = head.aspp[0](x) + head.aspp[1](x)
    torch.testing.assert_close(head([x]), expected)


def test_every_parameter_gets_a_gradient():
    head = DeepLabV2Head(in_channels=3, num_classes=4, dilations=(1, 2, 3, 4))
    head([torch.randn(1, 3, 8, 8)]).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in head.parameters())


def test_loss_matches_cross_entropy():
    head = DeepLabV2Head(in_channels=3, num_classes=4, dilations=(1,))
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    labels = torch.randint(0, 4, (1, 8, 8))
    sample = SegDataSample(gt_sem_seg=PixelData(data=labels))
    logits = head([torch.randn(1, 3, 8, 8)])
    loss = head.loss_by_feat(logits, [sample])['loss_ce']
    expected = torch.nn.functional.cross_entropy(logits, labels)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
