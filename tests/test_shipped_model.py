"""A from a config MMSeg ships, in one line beside LabOR's layer (MMEngine refuses two whole
configs as bases: both define the data, schedule and runtime)."""
import pytest
from mmengine.config import Config
from mmseg.registry import MODELS

from labor_mmseg.models.labor import paired_preprocessor_cfg
from labor_mmseg.utils.shipped_model import shipped_model

from .conftest import REPO

PSPNET = 'mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py'


def test_whole_shipped_config_beside_a_layer_is_what_mmengine_refuses(tmp_path):
    """Why the helper exists: the plain MMEngine way names ~20 duplicate keys."""
    path = tmp_path / 'both.py'
    path.write_text(f"_base_ = ['{PSPNET}', '{REPO}/configs/_base_/labor/spl_synth.py']\n")
    with pytest.raises(KeyError, match='Duplicate key is not allowed among bases'):
        Config.fromfile(path)


def test_the_model_of_a_shipped_config_with_overrides():
    model = shipped_model(PSPNET, pretrained=None, backbone=dict(depth=10),
                          auxiliary_head=dict(_delete_=True, type='FCNHead', in_channels=4))
    assert model.type == 'EncoderDecoder' and model.decode_head.type == 'PSPHead'
    assert model.backbone.depth == 10 and model.backbone.type == 'ResNetV1c'  # merged
    assert model.pretrained is None
    assert model.auxiliary_head == dict(type='FCNHead', in_channels=4)  # replaced
    assert model.data_preprocessor['size'] == (512, 1024)  # the shipped crop, kept here


def test_a_labor_config_takes_a_shipped_model_in_one_line(tmp_path):
    path = tmp_path / 'spl_pspnet.py'
    path.write_text(
        f"_base_ = ['{REPO}/configs/_base_/labor/spl_synth.py']\n"
        'from labor_mmseg.utils import shipped_model  # noqa: E402\n'
        f"model = dict(segmentor=shipped_model('{PSPNET}', pretrained=None), **_base_.labor)\n")
    cfg = Config.fromfile(path)
    assert 'shipped_model' not in cfg  # a function is not kept in the config
    assert cfg.model.type == 'LabOR' and cfg.model.segmentor.decode_head.type == 'PSPHead'
    model = MODELS.build(cfg.model)
    # The layer's padding (size_divisor) wins over the shipped crop size: no clash.
    assert model.data_preprocessor.size is None and model.data_preprocessor.size_divisor == 8


def test_padding_is_the_layers_and_a_clash_names_the_field():
    shipped = dict(data_preprocessor=dict(type='SegDataPreProcessor', size=(512, 1024)))
    assert paired_preprocessor_cfg(shipped, dict(size_divisor=8)) == dict(
        type='PairedSegDataPreProcessor', size_divisor=8)
    assert paired_preprocessor_cfg(shipped, None)['size'] == (512, 1024)
    both = dict(data_preprocessor=dict(size=(64, 64), size_divisor=8))
    with pytest.raises(ValueError, match=r'model.segmentor.data_preprocessor: size=\(64, 64\) '
                                         'and size_divisor=8'):
        paired_preprocessor_cfg(both, None)


def test_a_missing_package_of_a_shipped_config_names_the_extra(tmp_path):
    path = tmp_path / 'needs.py'
    path.write_text("custom_imports = dict(imports=['not_a_package_here.models'])\n"
                    "model = dict(type='EncoderDecoder')\n")
    with pytest.raises(ImportError, match=r'needs.py imports not_a_package_here.models '
                                          r'\(custom_imports\), which is not installed'):
        shipped_model(str(path))


def test_a_model_shipped_for_another_dataset_gets_the_classes_at_hand():
    model = shipped_model('mmseg::pspnet/pspnet_r50-d8_4xb4-80k_ade20k-512x512.py',
                          weights=False, num_classes=19)
    assert model.decode_head.num_classes == model.auxiliary_head.num_classes == 19
    assert model.pretrained is None and model.backbone.get('init_cfg') is None


def test_a_shipped_optimizer_for_a_as_mmseg_trains_it():
    from labor_mmseg.utils import shipped_optim_wrapper
    optim = shipped_optim_wrapper('mmseg::segformer/segformer_mit-b0_8xb1-160k_cityscapes-'
                                  '1024x1024.py')
    assert optim.optimizer.type == 'AdamW' and optim.optimizer.lr == 6e-5
    assert optim.paramwise_cfg.custom_keys['head'].lr_mult == 10.0


def test_a_query_head_shipped_for_ade20k_keeps_its_no_object_weight():
    model = shipped_model('mmseg::maskformer/maskformer_r50-d32_8xb2-160k_ade20k-512x512.py',
                          weights=False, num_classes=19)
    assert model.decode_head.num_classes == 19
    assert model.decode_head.loss_cls.class_weight == [1.0] * 19 + [0.1]


def test_class_weights_of_the_classes_at_hand_are_kept():
    """CGNet ships Cityscapes' own 19 class weights: setting 19 classes leaves them."""
    shipped = shipped_model('mmseg::cgnet/cgnet_fcn_4xb8-60k_cityscapes-512x1024.py',
                            weights=False)
    model = shipped_model('mmseg::cgnet/cgnet_fcn_4xb8-60k_cityscapes-512x1024.py',
                          weights=False, num_classes=19)
    weights = shipped.decode_head.loss_decode.class_weight
    assert len(weights) == 19 and len(set(weights)) > 2
    assert model.decode_head.loss_decode.class_weight == weights
