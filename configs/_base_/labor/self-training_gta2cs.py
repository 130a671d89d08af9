# Self-training for A, as DACS and DAFormer train it, on top of a method's recipe: a mean
# teacher of A (EMA, alpha 0.999 with DAFormer's warm-up) labels every target pixel (each image
# weighted by its share of pixels above 0.968), half of the classes of the paired source image
# are pasted onto each target image (ClassMix, never over a bought label) with colour jitter
# and blur, and A learns these mixed labels beside what the method teaches it (source labels,
# the bought labels, AdaptSeg's D). The source image paired with each target image is drawn by
# rare class sampling (DAFormer Eq. 7). B reads the teacher (docs/design.md). Turn it on in
# any LabOR config (method, baseline or zoo model); drop the last line to keep the source in
# the sampler's order:
#
#   _base_ = ['./spl_gta2cs.py', '../_base_/labor/self-training_gta2cs.py']
#   model = _base_.with_self_training
#   train_dataloader = _base_.with_rare_class_sampling
with_self_training = dict(
    self_training=dict(
        type='MeanTeacher',
        alpha=0.999,
        pseudo_threshold=0.968,
        color_jitter=dict(strength=0.2, probability=0.8),
        blur=dict(probability=0.5, sigma=(0.15, 1.15)),
        selection='teacher'))
# DAFormer's T and its 3000 pixels at GTA5's resolution (scale min_pixels with the image area).
with_rare_class_sampling = dict(
    dataset=dict(rare_class_sampling=dict(temperature=0.01, min_pixels=3000)))
