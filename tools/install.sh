#!/usr/bin/env bash
# Idempotent install of labor-mmseg and its stack into a virtual environment (default .venv).
# A CPU torch is installed first (override with TORCH_SPEC, e.g. a CUDA build); mmcv with ops is
# then compiled against it from source (pip caches the wheel, so later installs take seconds).
set -euo pipefail
VENV=${1:-.venv}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
MMCV_SPEC=${MMCV_SPEC:-mmcv>=2.0.0rc4,<2.2.0}
cd "$(dirname "$0")/.."
PY="$VENV/bin/python"
STAMP="$VENV/.labor-mmseg-installed"
want=$(cat pyproject.toml tools/install.sh | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    exit 0
fi
pip_install() { "$PY" -m pip install -q --disable-pip-version-check "$@"; }
[ -x "$PY" ] || python3 -m venv "$VENV"
echo "[install] build tools and torch into $VENV"
# mmcv's setup.py imports pkg_resources: setuptools<70 while building it.
pip_install 'setuptools<70' wheel ninja
"$PY" -c 'import torch' 2>/dev/null || pip_install "$TORCH_SPEC"
pip_install numpy opencv-python 'mmengine>=0.10.0,<0.11'
if ! "$PY" -c 'import mmcv.ops' 2>/dev/null; then
    echo "[install] mmcv with ops (compiled from source on first install, ~10 min on 2 cores)"
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} pip_install --no-build-isolation "$MMCV_SPEC" 'setuptools<70'
fi
echo "[install] labor-mmseg (editable) with dev extras"
pip_install -e '.[dev]' 'setuptools<70'
echo "$want" > "$STAMP"
