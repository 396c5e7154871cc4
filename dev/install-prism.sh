#!/usr/bin/env bash
# Installs Stoplight Prism (npm `@stoplight/prism-cli`), the third-party mock tests/test_prism.py
# runs dsconform against, into the project-local folder .tools/prism/ (git-ignored; nothing is
# installed globally). Idempotent: does nothing when .tools/prism/node_modules/.bin/prism already
# runs. Needs node and npm on PATH and the npm registry reachable. DSCONFORM_PRISM_VERSION pins
# another version.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=".tools/prism"
prism="${prefix}/node_modules/.bin/prism"
version="${DSCONFORM_PRISM_VERSION:-5.16.0}"

if [ -x "${prism}" ] && "${prism}" --version >/dev/null 2>&1; then
    echo "install-prism: already present: ${prism} ($("${prism}" --version))"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "install-prism: npm is not on PATH; install node and npm first" >&2
    exit 1
fi

mkdir -p "${prefix}"
npm install --prefix "${prefix}" --no-audit --no-fund --loglevel=error "@stoplight/prism-cli@${version}"
echo "install-prism: installed ${prism} ($("${prism}" --version))"
