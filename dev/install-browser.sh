#!/usr/bin/env bash
# Installs the headless browser the report test drives (tests/test_report_html_browser.py):
# Debian's `chromium` package. Idempotent: does nothing when a chromium binary is already on
# PATH (or DSCONFORM_CHROMIUM names one). Needs apt-get, as root or through sudo.
set -euo pipefail

found() {
    if [ -n "${DSCONFORM_CHROMIUM:-}" ] && [ -x "${DSCONFORM_CHROMIUM}" ]; then
        echo "${DSCONFORM_CHROMIUM}"; return 0
    fi
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    done
    return 1
}

if browser="$(found)"; then
    echo "install-browser: already present: ${browser}"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get here; install Chromium yourself or set DSCONFORM_CHROMIUM" >&2
    exit 1
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "install-browser: need root (or sudo) to apt-get install chromium" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q chromium
browser="$(found)"
echo "install-browser: installed ${browser} ($("${browser}" --version 2>/dev/null || echo '?'))"
