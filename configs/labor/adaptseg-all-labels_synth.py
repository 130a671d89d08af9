# AdaptSegNet with every target label on the synthetic benchmark: LabOR's training recipe for A
# (source CE + labeled-target CE + adversarial loss) with all target pixels labeled. It is the
# most that any selection of target pixels can give that recipe, so the label-efficiency table
# reads the active methods against it as well as against target-only full supervision.
_base_ = ['./adaptseg_synth.py']
train_dataloader = dict(dataset=dict(target=dict(_delete_=True, **_base_.target_train)))
