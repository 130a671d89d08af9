# A person answers each selection round in Label Studio while training waits. Put this layer
# after any LabOR, RIPU or baseline config:
#     _base_ = ['./spl_synth.py', '../_base_/labor/oracle_label_studio.py']
# The server comes from LABEL_STUDIO_URL, the key from LABEL_STUDIO_API_KEY (README: "Label
# with a person"). Every selection hook without an oracle of its own asks this one.
oracle = dict(
    type='LabelStudioOracle',
    min_share=1.0,  # go on once every task of the round has a submitted annotation
    timeout=None,  # seconds; then stop with a checkpoint and the command to go on
    poll_interval=10.0)
