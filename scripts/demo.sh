#!/usr/bin/env bash
# Set up a virtual environment (.venv in the clone) and run the main demo,
# `autograd-mini demo`, with any options passed through. Paths in the options
# (--graph FILE) are relative to the directory you run this from.
# Settings: PYTHON=python3.12 picks the interpreter (see scripts/_venv.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/_venv.sh"
for arg in "$@"; do
    # Graphviz's dot is needed only to draw (--graph FILE.svg, .png, .pdf).
    case $arg in --graph|--graph=*) ensure_dot; break ;; esac
done
make_venv "$ROOT/.venv" "$(find_python)" "viz,plot,progress" "$ROOT"
exec "$ROOT/.venv/bin/autograd-mini" demo "$@"
