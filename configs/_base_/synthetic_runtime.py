# Runtime of the synthetic benchmark: CPU, so distributed runs (torchrun) use gloo.
_base_ = ['./default_runtime.py']
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
