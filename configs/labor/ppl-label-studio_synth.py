# LabOR-PPL on the synthetic benchmark, each round answered by a person in Label Studio.
_base_ = ['./ppl_synth.py', '../_base_/labor/oracle_label_studio.py']
