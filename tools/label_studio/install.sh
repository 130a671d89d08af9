#!/usr/bin/env bash
# Idempotent install of the Label Studio server into its own virtual environment (default
# .venv-label-studio): it cannot share labor-mmseg's (it needs setuptools >= 83, mmengine imports
# pkg_resources, gone from setuptools 81; its SDK pins another opencv). Run it as users do, as a
# separate application: tools/label_studio/serve.py starts it on 127.0.0.1.
set -euo pipefail
VENV=${1:-.venv-label-studio}
LABEL_STUDIO_SPEC=${LABEL_STUDIO_SPEC:-label-studio==1.23.2}
cd "$(dirname "$0")/../.."
PY="$VENV/bin/python"
STAMP="$VENV/.label-studio-installed"
want=$(echo "$LABEL_STUDIO_SPEC" | cat - tools/label_studio/install.sh | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    exit 0
fi
[ -x "$PY" ] || python3 -m venv "$VENV"
echo "[install] $LABEL_STUDIO_SPEC into $VENV (about 4 minutes the first time)"
"$PY" -m pip install -q --disable-pip-version-check "$LABEL_STUDIO_SPEC"
"$PY" -c 'import label_studio, django' || {
    echo "[install] label-studio does not import; see the error above" >&2; exit 1; }
echo "$want" > "$STAMP"
