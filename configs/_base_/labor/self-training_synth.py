# Self-training for A on the synthetic benchmark (see self-training_gta2cs.py): the teacher's
# EMA horizon scaled with the schedule, 1/(1 - alpha) = 100 of 2,000 iterations (DAFormer:
# 1,000 of 40,000), so that the labels bought at iterations 500-900 reach the teacher before
# training ends. Turn it on in any synthetic config:
#
#   _base_ = ['./spl_synth.py', '../_base_/labor/self-training_synth.py']
#   model = _base_.with_self_training
#   train_dataloader = _base_.with_rare_class_sampling
_base_ = ['./self-training_gta2cs.py']
with_self_training = dict(self_training=dict(alpha=0.99))
# DAFormer's 3000 pixels of 1914x1052 GTA5 images, scaled to the 128x256 images.
with_rare_class_sampling = dict(dataset=dict(rare_class_sampling=dict(min_pixels=50)))
