# AdaptSegNet (single-level output-space adversarial UDA), GTA5 -> Cityscapes, DeepLab-v2 R101:
# LabOR without the selector and without target labels.
_base_ = ['./spl_gta2cs.py']
model = dict(selector=None)  # B gone: its pseudo-label settings do nothing
custom_hooks = []
