# Shared by scripts/demo.sh and scripts/test.sh: create (once) and refresh a
# virtual environment with the project installed in editable mode.
# Usage: source scripts/_venv.sh VENV_DIR PYTHON EXTRAS
make_venv() {
    local dir=$1 py=$2 extras=$3
    if [ ! -x "$dir/bin/python" ]; then
        "$py" -m venv "$dir"
        "$dir/bin/python" -m pip install --quiet --upgrade pip
    fi
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
}

ensure_dot() {
    # Graphviz's `dot` renders the computation graphs; install it when we can.
    if command -v dot >/dev/null 2>&1; then return 0; fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "==> installing Graphviz (dot) with apt-get"
        apt-get update -qq >/dev/null && apt-get install -y -qq graphviz >/dev/null
    else
        echo "warning: Graphviz's dot is missing; install it (apt-get install graphviz," \
             "brew install graphviz) to render graphs" >&2
    fi
}
