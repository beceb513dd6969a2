#!/usr/bin/env bash
# Set up a virtual environment (.venv) and run the main demo.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_dot
make_venv .venv "${PYTHON:-python3}" "viz,plot,progress"
.venv/bin/autograd-mini demo "$@"
