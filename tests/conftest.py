"""Shared fixtures: a tiny synthetic benchmark and configs pointed at it."""
import importlib.util
import secrets
import sys
from pathlib import Path
from types import ModuleType

import pytest
import torch
from mmengine.config import Config

import labor_mmseg  # noqa: F401  (registers the components)
from labor_mmseg.datasets.synthetic import generate_synthetic_benchmark
from labor_mmseg.utils.experiment import small_run

REPO = Path(__file__).resolve().parents[1]
TINY = dict(num_source=8, num_target_train=6, num_target_val=4, height=64, width=128, seed=0)

torch.set_num_threads(1)


@pytest.fixture(scope='session')
def tiny_benchmark(tmp_path_factory) -> Path:
    """A tiny synthetic benchmark (8 source, 6 target train, 4 target val at 64x128)."""
    root = tmp_path_factory.mktemp('synthetic')
    generate_synthetic_benchmark(root, workers=1, progress=False, **TINY)
    return root


def load_script(relative_path: str) -> ModuleType:
    """A script of the repository (``tools/...py``) imported as a module, for its functions."""
    path = REPO / relative_path
    if str(path.parent) not in sys.path:  # as ``python <script>`` does: its siblings import
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tiny_config(name: str, root: Path, work_dir: Path, max_iters: int = 4) -> Config:
    """Config ``configs/labor/<name>.py`` on the tiny benchmark, for a few CPU iterations."""
    return small_run(Config.fromfile(REPO / 'configs' / 'labor' / f'{name}.py'), root, work_dir,
                     max_iters)


LABEL_STUDIO_EMAIL = 'annotator@example.com'


@pytest.fixture(scope='session')
def label_studio(tmp_path_factory):
    """A real Label Studio server (``tools/label_studio/serve.py``: its own venv, 127.0.0.1,
    SQLite, offline) shared by the session's tests, stopped when they end, whatever happens."""
    serve = load_script('tools/label_studio/serve.py')
    server = serve.LabelStudioServer(tmp_path_factory.mktemp('label_studio'),
                                     LABEL_STUDIO_EMAIL, secrets.token_urlsafe(12))
    with server:
        yield server
    assert server.process.poll() is not None  # stopped


@pytest.fixture(autouse=True, scope='session')
def mmseg_default_scope():
    """Build components in MMSeg's scope, as the runner does with ``default_scope='mmseg'``."""
    from mmseg.utils import register_all_modules
    register_all_modules(init_default_scope=True)


@pytest.fixture
def amp_on_cpu(monkeypatch):
    """Let ``AmpOptimWrapper`` build without CUDA (its CUDA-only check patched); on the CPU its
    loss scaler disables itself and autocast runs in bfloat16."""
    from mmengine.optim.optimizer import amp_optimizer_wrapper
    monkeypatch.setattr(amp_optimizer_wrapper, 'is_cuda_available', lambda: True)
