# LabOR-SPL on the synthetic benchmark, each round answered by a person in Label Studio.
_base_ = ['./spl_synth.py', '../_base_/labor/oracle_label_studio.py']
