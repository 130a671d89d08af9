# Self-training for A, as DACS and DAFormer train it: a mean teacher of A (EMA, alpha 0.999)
# labels every target pixel (each image weighted by its share of pixels above 0.968), half of
# the classes of the paired source image are pasted onto each target image (ClassMix) with
# colour jitter and blur, and A learns the mixed labels, the bought labels winning over the
# teacher's. No discriminator (neither DACS nor DAFormer has one). B reads the teacher
# (docs/design.md). Turn it on in any LabOR config (method, baseline or zoo model):
#
#   _base_ = ['./spl_synth.py', '../_base_/labor/self_training.py']
#   model = _base_.with_self_training
with_self_training = dict(
    self_training=dict(
        type='MeanTeacher',
        alpha=0.999,
        pseudo_threshold=0.968,
        color_jitter=dict(strength=0.2, probability=0.8),
        blur=dict(probability=0.5, sigma=(0.15, 1.15)),
        selection='teacher'),
    discriminator=None)
