#!/usr/bin/env bash
# Set up a virtual environment (.venv) and run every check: ruff, mypy --strict,
# pytest, the docs build; then the test suite again on the oldest and newest
# Python found (3.10 and 3.13 through pyenv) when they are installed.
#
# Settings (see scripts/_venv.sh and the README):
#   PYTHON=python3.12            the interpreter for .venv
#   AUTOGRAD_MINI_TORCH=1        also install torch==2.13.0 and run the PyTorch
#                                reference tests (a large download; off by default)
#   AUTOGRAD_MINI_REQUIRE_DOT=1  fail if Graphviz's dot is missing (CI)
#   AUTOGRAD_MINI_OTHER_PYTHONS=0  skip the runs on Python 3.10 and 3.13
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/_venv.sh
ensure_dot
extras="dev"
if [ "${AUTOGRAD_MINI_TORCH:-0}" = 1 ]; then
    extras="dev,torch"  # torch==2.13.0: see the `torch` extra in pyproject.toml
fi
make_venv .venv "$(find_python)" "$extras" "$ROOT"
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
    echo "==> PyTorch is not installed: its reference tests are skipped" \
         "(AUTOGRAD_MINI_TORCH=1 bash scripts/test.sh runs them)"
fi

echo "==> ruff check"
.venv/bin/ruff check .
echo "==> mypy --strict autograd_mini"
.venv/bin/mypy --strict autograd_mini
echo "==> pytest ($(.venv/bin/python --version))"
.venv/bin/python -m pytest "$@"
if [ -f mkdocs.yml ]; then
    echo "==> mkdocs build --strict"
    NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet --site-dir site
fi

# The same suite on the oldest and newest interpreters the machine has.
if [ "${AUTOGRAD_MINI_OTHER_PYTHONS:-1}" = 1 ]; then
    for version in 3.10 3.13; do
        py=""
        if command -v pyenv >/dev/null 2>&1; then
            prefix=$(pyenv prefix "$(pyenv versions --bare | grep -E "^${version//./\\.}(\.[0-9]+)?$" | tail -n 1)" 2>/dev/null || true)
            [ -n "$prefix" ] && [ -x "$prefix/bin/python" ] && py="$prefix/bin/python"
        fi
        [ -z "$py" ] && command -v "python$version" >/dev/null 2>&1 && py=$(command -v "python$version")
        if [ -z "$py" ]; then
            echo "==> Python $version not found; skipping its run"
            continue
        fi
        echo "==> pytest on Python $version ($py)"
        make_venv ".venv-$version" "$py" "test" "$ROOT"
        ".venv-$version/bin/python" -m pytest -q -p no:cacheprovider "$@"
    done
fi
