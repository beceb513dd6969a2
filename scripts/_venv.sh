# Shared by scripts/demo.sh and scripts/test.sh: find a Python >= 3.10, create (or
# rebuild) a virtual environment with the project installed in editable mode, and
# install Graphviz's dot when asked to.
#
# Settings, all optional (the README documents them):
#   PYTHON=python3.12            the interpreter for the venv. Default: python3, or the
#                                newest python3.1x on PATH when python3 is older than 3.10.
#   AUTOGRAD_MINI_TORCH=1        (test.sh) also install torch==2.13.0, the PyTorch
#                                reference for the engine's tests: a download of about
#                                1 GB or more. Off by default; .ci/run turns it on.
#   AUTOGRAD_MINI_REQUIRE_DOT=1  fail when Graphviz's dot is missing and cannot be
#                                installed (.ci/run sets it: CI runs the drawing tests).
#
# A venv made by another Python (major.minor) is rebuilt, with a message. After a
# successful install the venv records what it holds (.autograd-mini-setup: one line
# per install, with the Python version, the extras and a checksum of pyproject.toml);
# later runs with the same settings install nothing and print nothing.

MIN_PYTHON_MINOR=10  # Python 3.10, as pyproject.toml's requires-python

say() { echo "==> $*"; }
warn() { echo "warning: $*" >&2; }
die() { echo "error: $*" >&2; exit 2; }

# "3.12" for an interpreter that runs, nothing (and status 1) otherwise.
py_version() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

python_is_new_enough() {
    local version=$1
    [ "${version%%.*}" = 3 ] && [ "${version#*.}" -ge "$MIN_PYTHON_MINOR" ] 2>/dev/null
}

# Print the interpreter to build venvs with, or stop with a message saying what to do.
find_python() {
    local version candidate
    if [ -n "${PYTHON:-}" ]; then
        command -v "$PYTHON" >/dev/null 2>&1 || die "PYTHON=$PYTHON: no such interpreter"
        version=$(py_version "$PYTHON") || die "PYTHON=$PYTHON does not run"
        python_is_new_enough "$version" \
            || die "PYTHON=$PYTHON is Python $version; autograd_mini needs Python >= 3.$MIN_PYTHON_MINOR"
        echo "$PYTHON"
        return 0
    fi
    local default_version
    default_version=$(py_version python3 || echo "missing")
    if python_is_new_enough "$default_version"; then
        echo python3
        return 0
    fi
    for candidate in python3.13 python3.12 python3.11 python3.10; do
        version=$(py_version "$candidate") || continue
        if python_is_new_enough "$version"; then
            say "python3 is Python $default_version; autograd_mini needs >= 3.$MIN_PYTHON_MINOR, using $candidate" >&2
            echo "$candidate"
            return 0
        fi
    done
    die "autograd_mini needs Python >= 3.$MIN_PYTHON_MINOR, and python3 is Python $default_version." \
        "Install a newer Python and name it, e.g.: PYTHON=python3.12 bash $0"
}

# Print the packages pip fetches as it goes ("Collecting NAME" from an index,
# "Processing FILE" from a local wheel), so a long first install shows what it is
# doing; everything else pip says on stdout is dropped (its errors go to stderr).
_show_collecting() {
    awk '/^Collecting / { sub(/^Collecting /, ""); sub(/ \(from .*\)$/, ""); print "    " $0
                           count++; fflush(); next }
         /^Processing .*\.whl/ { n = split($2, parts, "/"); split(parts[n], f, "-")
                                 print "    " f[1] " " f[2]; count++; fflush() }
         END { if (count) printf "    (%d packages)\n", count }'
}

_setup_key() {
    local version=$1 extras=$2 root=$3
    echo "python $version; extras $extras; pyproject $(cksum < "$root/pyproject.toml" | cut -d' ' -f1)"
}

# make_venv DIR PYTHON EXTRAS ROOT: DIR holds a venv of PYTHON's version with ROOT
# installed in editable mode with EXTRAS (a comma-separated list).
make_venv() {
    local dir=$1 py=$2 extras=$3 root=$4
    local want have start key stamp="$dir/.autograd-mini-setup"
    want=$(py_version "$py") || die "$py does not run"
    if [ -e "$dir" ]; then
        have=$(py_version "$dir/bin/python" || echo "a Python that no longer runs")
        if [ "$have" != "$want" ]; then
            say "$dir was made with Python $have, not $want ($py): rebuilding it"
            rm -rf "$dir"
        fi
    fi
    if [ ! -x "$dir/bin/python" ]; then
        start=$SECONDS
        say "creating $dir with $("$py" -c 'import sys; print("Python", sys.version.split()[0])') ($py)"
        "$py" -m venv "$dir"
        "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
        say "created $dir in $((SECONDS - start)) s"
    fi
    key=$(_setup_key "$want" "$extras" "$root")
    if [ -f "$stamp" ] && grep -qxF "$key" "$stamp"; then
        return 0  # installed before with these settings: nothing to do, nothing to say
    fi
    start=$SECONDS
    say "installing autograd-mini[$extras] and its dependencies into $dir" \
        "(first run: about a minute; later runs skip this)"
    "$dir/bin/python" -m pip install --disable-pip-version-check -e "$root[$extras]" \
        | _show_collecting
    echo "$key" >> "$stamp"
    say "installed in $((SECONDS - start)) s"
}

# Graphviz's dot renders the computation graphs (.svg, .png, .pdf). It is optional:
# without it, everything but those drawings works. Install it when we can (root with
# apt-get); otherwise warn and go on, unless AUTOGRAD_MINI_REQUIRE_DOT=1.
ensure_dot() {
    if command -v dot >/dev/null 2>&1; then return 0; fi
    local start log
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        start=$SECONDS
        say "installing Graphviz (dot) with apt-get"
        log=$(mktemp)
        if apt-get update -qq >"$log" 2>&1 && apt-get install -y -qq graphviz >>"$log" 2>&1 \
            && command -v dot >/dev/null 2>&1; then
            rm -f "$log"
            say "installed Graphviz in $((SECONDS - start)) s"
            return 0
        fi
        warn "apt-get could not install Graphviz:"
        tail -n 3 "$log" | sed 's/^/    /' >&2
        rm -f "$log"
    fi
    if [ "${AUTOGRAD_MINI_REQUIRE_DOT:-0}" = 1 ]; then
        echo "error: Graphviz's dot is required here (AUTOGRAD_MINI_REQUIRE_DOT=1) and is" \
             "not installed" >&2
        exit 1
    fi
    warn "Graphviz's dot is not installed: drawings to .svg/.png/.pdf will not work" \
         "(everything else does; their tests are skipped). Install it with" \
         "'sudo apt-get install graphviz' or 'brew install graphviz'."
    return 0
}
