#!/usr/bin/env bash
# Idempotent install of labor-mmseg and its stack into a virtual environment (default .venv).
# A CPU torch is installed first (override with TORCH_SPEC, e.g. a CUDA build); mmcv with ops is
# then compiled against it from source (pip caches the wheel, so later installs take seconds).
set -euo pipefail
VENV=${1:-.venv}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
MMCV_SPEC=${MMCV_SPEC:-mmcv>=2.0.0rc4,<2.2.0}
# mmcv's setup.py needs setuptools<70 to build; at run time mmengine imports pkg_resources
# (gone from setuptools 81) and torch 2.13 asks for setuptools>=77.
BUILD_SETUPTOOLS='setuptools<70'
RUN_SETUPTOOLS='setuptools>=77,<81'
cd "$(dirname "$0")/.."
PY="$VENV/bin/python"
STAMP="$VENV/.labor-mmseg-installed"
want=$(cat pyproject.toml tools/install.sh | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    exit 0
fi
pip_install() { "$PY" -m pip install -q --disable-pip-version-check "$@"; }
[ -x "$PY" ] || python3 -m venv "$VENV"
echo "[install] torch into $VENV"
"$PY" -c 'import torch' 2>/dev/null || pip_install "$TORCH_SPEC"
# Every later step pins the torch now installed, so no dependency can swap it.
TORCH_PIN="torch==$("$PY" -c 'import torch; print(torch.__version__)')"
pip_install numpy opencv-python 'mmengine>=0.10.0,<0.11' wheel ninja "$TORCH_PIN"
if ! "$PY" -c 'import mmcv.ops' 2>/dev/null; then
    echo "[install] mmcv with ops (compiled from source on first install, ~10 min on 2 cores)"
    pip_install "$BUILD_SETUPTOOLS"
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} PATH="$VENV/bin:$PATH" \
        pip_install --no-build-isolation "$MMCV_SPEC" "$BUILD_SETUPTOOLS"
fi
echo "[install] labor-mmseg (editable) with the dev and zoo extras"
pip_install -e '.[dev,zoo]' "$RUN_SETUPTOOLS" "$TORCH_PIN"
"$PY" -c 'import torch, mmcv.ops, mmseg.models, labor_mmseg' || {
    echo "[install] the stack does not import; see the error above" >&2; exit 1; }
echo "$want" > "$STAMP"
