# Target full supervision on the synthetic benchmark (the upper bound): all target train labels.
_base_ = ['./source_only_synth.py']
train_dataloader = dict(dataset={{_base_.target_train}})
