"""B follows A's backbone; a head whose channels do not match its backbone is named at build."""
import textwrap

import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS

from tests.conftest import REPO
from tests.test_labor_model import build_optim_wrapper, paired_batch, tiny_labor, tiny_segmentor
from tests.test_segmentor_heads import tiny_labor_with, tiny_zoo_segmentor

SPL_SYNTH = REPO / 'configs' / 'labor' / 'spl_synth.py'


def model_from(tmp_path, body: str) -> torch.nn.Module:
    """LabOR built from a config inheriting spl_synth.py with ``body`` on top."""
    config = tmp_path / 'swap.py'
    config.write_text(f"_base_ = ['{SPL_SYNTH}']\n" + textwrap.dedent(body))
    return MODELS.build(Config.fromfile(str(config)).model)


def test_the_selector_follows_a_backbone_swap(tmp_path):
    """Swapping A's backbone by inheritance changes A's fields only (as MMSeg would); B's
    classifiers read the new channels at the level of A's decode head."""
    model = model_from(tmp_path, """
        model = dict(segmentor=dict(backbone=dict(base_channels=8),
                                    decode_head=dict(in_channels=64)))
        """)
    head = model.selector.head1
    assert (head.in_index, head.in_channels) == (3, 64)
    probs = model.selector_probs(torch.zeros(1, 3, 32, 32), (32, 32))
    assert probs[0].shape == (1, 19, 32, 32)


def test_a_decode_head_that_misses_the_swap_is_named(tmp_path):
    with pytest.raises(ValueError, match=r'model\.segmentor\.decode_head\.in_channels=128 does '
                                         r'not match .*set model\.segmentor\.decode_head\.'
                                         r'in_channels=64'):
        model_from(tmp_path, 'model = dict(segmentor=dict(backbone=dict(base_channels=8)))\n')


def test_selector_backbone_is_settable_without_delete(tmp_path):
    """B's own backbone is one dict in the child config; B's classifiers read its deepest
    level, whatever its channels."""
    model = model_from(tmp_path, """
        model = dict(selector_backbone=dict(type='ResNetV1c', depth=18, stem_channels=8,
                                            base_channels=8, dilations=(1, 1, 2, 4),
                                            strides=(1, 2, 1, 1), contract_dilation=True))
        """)
    assert model.with_selector_backbone
    assert (model.selector.head1.in_index, model.selector.head1.in_channels) == (3, 64)


def test_an_explicit_selector_mismatch_is_named():
    head = dict(type='DeepLabV2Head', in_channels=32, in_index=3, num_classes=19)
    with pytest.raises(ValueError, match=r'model\.selector\.head\.in_channels=32 does not match'
                                         r'.*\[8, 16, 32, 64\]'):
        MODELS.build(dict(type='LabOR', segmentor=tiny_segmentor(),
                          selector=dict(type='DualHeadSelector', head=head)))


def test_a_level_the_backbone_lacks_is_named():
    segmentor = tiny_segmentor()
    segmentor['decode_head']['in_index'] = 7
    with pytest.raises(ValueError, match=r'model\.segmentor\.decode_head\.in_index=7 names a '
                                         r'feature level the backbone does not output'):
        MODELS.build(dict(type='LabOR', segmentor=segmentor))


def test_a_cascade_stage_is_named_by_position():
    segmentor = tiny_zoo_segmentor('ocrnet_r50-d8')
    segmentor['decode_head'][1]['in_channels'] = 32
    with pytest.raises(ValueError, match=r'model\.segmentor\.decode_head\[1\]\.in_channels=32'):
        tiny_labor_with(segmentor)


def test_matching_channels_build_as_before():
    model = tiny_labor()
    assert (model.selector.head1.in_index, model.selector.head1.in_channels) == (3, 64)


def test_channels_given_as_a_tuple_match_as_a_list():
    """MMSeg's configs write several levels' channels as tuples or lists alike."""
    segmentor = tiny_zoo_segmentor('upernet_r50')
    segmentor['decode_head']['in_channels'] = (8, 16, 32, 64)
    assert tiny_labor_with(segmentor).segmentor.decode_head.in_channels == (8, 16, 32, 64)


def test_with_a_neck_b_reads_the_backbones_deepest_level():
    """A's head indexes the neck's outputs (here 5 FPN levels over 4 backbone stages); B reads
    the backbone, so it takes the backbone's deepest level, not A's index."""
    segmentor = tiny_segmentor()
    segmentor['neck'] = dict(type='FPN', in_channels=[8, 16, 32, 64], out_channels=16,
                             num_outs=5)
    segmentor['decode_head'] = dict(type='FCNHead', in_channels=16, in_index=4, channels=8,
                                    num_convs=1, num_classes=19)
    model = MODELS.build(dict(type='LabOR', segmentor=segmentor, selector=dict(
        type='DualHeadSelector', head=dict(type='DeepLabV2Head', num_classes=19))))
    assert (model.selector.head1.in_index, model.selector.head1.in_channels) == (3, 64)


def test_a_vit_with_class_tokens_gives_b_its_maps():
    """A ViT returning (map, class token) pairs (DPT's): A's heads are checked against the maps
    and B's classifiers read them."""
    vit = dict(type='VisionTransformer', img_size=(32, 32), patch_size=8, embed_dims=16,
               num_layers=1, num_heads=1, out_indices=(0,), output_cls_token=True,
               final_norm=True)
    segmentor = dict(tiny_segmentor(), backbone=vit, decode_head=dict(
        type='FCNHead', in_channels=16, in_index=0, channels=8, num_convs=1, num_classes=19))
    model = MODELS.build(dict(type='LabOR', segmentor=segmentor, selector=dict(
        type='DualHeadSelector', head=dict(type='DeepLabV2Head', num_classes=19))))
    assert (model.selector.head1.in_index, model.selector.head1.in_channels) == (0, 16)
    probs = model.selector_probs(torch.zeros(1, 3, 32, 32), (32, 32))
    assert probs[0].shape == (1, 19, 32, 32)


def test_a_backbone_that_cannot_be_probed_asks_for_bs_channels(monkeypatch):
    """A backbone whose dry forward fails or gives no maps: A's heads go unchecked (a warning),
    and B's classifiers must be given their level and channels."""
    import labor_mmseg.models.labor as labor_module
    monkeypatch.setattr(labor_module, 'check_segmentor_channels', lambda segmentor: None)
    with pytest.raises(ValueError, match=r'model\.selector\.head: set in_index and in_channels'):
        MODELS.build(dict(type='LabOR', segmentor=tiny_segmentor(), selector=dict(
            type='DualHeadSelector', head=dict(type='DeepLabV2Head', num_classes=19))))


def test_a_fixed_input_size_other_than_the_data_names_img_size():
    """BEiT's position embedding is not resized: a batch of another size than its img_size
    fails inside attention; the error names the config field to set."""
    beit = dict(type='BEiT', img_size=(64, 64), patch_size=8, embed_dims=16, num_layers=2,
                num_heads=1, out_indices=(1,), init_cfg=None)
    model = MODELS.build(dict(type='LabOR', segmentor=dict(
        tiny_segmentor(), backbone=beit, decode_head=dict(
            type='FCNHead', in_channels=16, in_index=0, channels=8, num_convs=1,
            num_classes=19))))
    with pytest.raises(RuntimeError, match=r'model\.segmentor\.backbone\.img_size=\(64, 64\) '
                                           r'but the training batch is \d+x\d+: set img_size'):
        model.train_step(paired_batch(), build_optim_wrapper(model))
