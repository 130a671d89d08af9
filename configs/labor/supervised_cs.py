# Target full supervision on Cityscapes (the upper bound): DeepLab-v2 R101 on all train labels.
_base_ = ['./source_only_gta2cs.py']
train_dataloader = dict(dataset={{_base_.target_train}})
