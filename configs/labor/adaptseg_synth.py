# AdaptSegNet on the synthetic benchmark: LabOR without the selector and without target labels.
_base_ = ['./spl_synth.py']
model = dict(selector=None)  # B gone: its pseudo-label settings do nothing
custom_hooks = []
