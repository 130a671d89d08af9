#!/usr/bin/env bash
# Idempotent install of the Label Studio server into its own virtual environment (default
# .venv-label-studio): it cannot share labor-mmseg's (it needs setuptools >= 83, mmengine imports
# pkg_resources, gone from setuptools 81; its SDK pins another opencv). Run it as users do, as a
# separate application: tools/label_studio/serve.py starts it on 127.0.0.1.
# Also Debian's chromium and chromium-driver for the browser test (tests/label_studio_browser.py),
# when /usr/bin/chromium or /usr/bin/chromedriver is missing (as root, or through sudo); if they
# cannot be installed it says so and goes on (the browser test then fails saying what is missing).
set -euo pipefail
VENV=${1:-.venv-label-studio}
LABEL_STUDIO_SPEC=${LABEL_STUDIO_SPEC:-label-studio==1.23.2}
cd "$(dirname "$0")/../.."

install_browser() {
    [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && return 0
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
            echo "[install] chromium/chromium-driver missing and not root (no sudo): the" \
                 "browser test will fail; run this script as root to install them" >&2
            return 0
        fi
    fi
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
    local pkgs=(install -y -q --no-install-recommends chromium chromium-driver)
    echo "[install] chromium and chromium-driver (Debian) for the browser test"
    if ! "${apt[@]}" "${pkgs[@]}" >/dev/null 2>&1; then
        "${apt[@]}" update -q >/dev/null 2>&1 || true
        "${apt[@]}" "${pkgs[@]}" >/dev/null 2>&1 || true
    fi
    if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
        echo "[install] could not install chromium/chromium-driver (apt-get failed): the" \
             "browser test will fail; install them as root: apt-get install -y" \
             "--no-install-recommends chromium chromium-driver" >&2
    fi
    return 0
}
install_browser

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
