# shellcheck shell=bash
# Python >= 3.14.2 for scripts/test, scripts/develop and scripts/bench.
#
# Source this file, then call `py314_setup`. It prefers a native interpreter
# (PATH, pyenv, uv) and otherwise falls back to a Debian sid root file system
# (see shared/docs/python-3.14-toolchain.md), cached outside the repository.
# Commands then run through `py314_run`, natively or inside that root, with
# the repository mounted at its own path so that every path stays the same.
# The root's mounts live in a private mount namespace: they vanish with the
# command, whatever way it ends, and parallel runs do not collide.

EQW_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
EQW_CACHE="${EQUIWATT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/equiwatt-dev}"
EQW_ROOT="${EQUIWATT_SID_ROOT:-$EQW_CACHE/sid-root}"
EQW_MODE=""          # "native" or "sid"
EQW_PYTHON=""        # the interpreter, as seen by py314_run
EQW_VENVS=""         # where virtual environments live, as seen by py314_run

eqw_say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
eqw_die() { printf 'error: %s\n' "$*" >&2; exit 2; }

eqw_python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)' >/dev/null 2>&1
}

# Print the first native Python >= 3.14.2, or nothing.
eqw_find_native() {
    local candidate
    for candidate in "${EQUIWATT_PYTHON:-}" python3.14 python3 python; do
        [ -n "$candidate" ] || continue
        candidate="$(command -v "$candidate" 2>/dev/null)" || continue
        if eqw_python_ok "$candidate"; then echo "$candidate"; return; fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        local root
        root="$(pyenv root)"
        for candidate in $(ls -d "$root"/versions/3.14.* "$root"/versions/3.1[5-9].* 2>/dev/null | sort -rV); do
            if eqw_python_ok "$candidate/bin/python"; then echo "$candidate/bin/python"; return; fi
        done
    fi
    if command -v uv >/dev/null 2>&1; then
        candidate="$(uv python find '>=3.14.2' 2>/dev/null)" || candidate=""
        if [ -n "$candidate" ] && eqw_python_ok "$candidate"; then echo "$candidate"; return; fi
    fi
}

# The Debian mirror this host already uses; never a hard-coded host.
eqw_mirror() {
    local mirror=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
    fi
    if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
        mirror="$(awk '/^deb / && $2 ~ /^http/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list)"
    fi
    [ -n "$mirror" ] || eqw_die "no Debian mirror found in /etc/apt; set one up, or install Python >= 3.14.2"
    echo "$mirror"
}

eqw_build_sid_root() {
    [ "$(id -u)" -eq 0 ] || eqw_die "no Python >= 3.14.2 found, and building the Debian sid fallback needs root.
Install Python >= 3.14.2 (pyenv, uv or your distribution), or run this as root."
    if ! command -v debootstrap >/dev/null 2>&1; then
        command -v apt-get >/dev/null 2>&1 || eqw_die "debootstrap is missing and there is no apt-get to install it"
        eqw_say "installing debootstrap"
        apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null \
            || eqw_die "could not install debootstrap (is the Debian archive reachable?)"
    fi
    command -v unshare >/dev/null 2>&1 || eqw_die "unshare (util-linux) is missing"
    local mirror partial="$EQW_ROOT.partial"
    mirror="$(eqw_mirror)"
    eqw_say "building a Debian sid root with Python 3.14 in $EQW_ROOT (about a minute, once)"
    rm -rf "$partial"
    mkdir -p "$(dirname "$EQW_ROOT")"
    debootstrap --variant=minbase \
        --include=python3.14,python3.14-venv,python3.14-dev,ca-certificates,gcc,g++,libc6-dev \
        sid "$partial" "$mirror" >"$EQW_CACHE/debootstrap.log" 2>&1 \
        || eqw_die "debootstrap failed; see $EQW_CACHE/debootstrap.log (is $mirror reachable?)"
    touch "$partial/.equiwatt-ready"
    rm -rf "$EQW_ROOT"
    mv "$partial" "$EQW_ROOT"
}

# Decide where Python 3.14 comes from; build the sid root if need be.
py314_setup() {
    local native
    native="$(eqw_find_native)"
    if [ -n "$native" ] && [ -z "${EQUIWATT_FORCE_SID:-}" ]; then
        EQW_MODE=native
        EQW_PYTHON="$native"
        EQW_VENVS="$EQW_CACHE/venvs"
    else
        [ -f "$EQW_ROOT/.equiwatt-ready" ] || eqw_build_sid_root
        [ "$(id -u)" -eq 0 ] || eqw_die "the Debian sid root in $EQW_ROOT needs root to enter"
        EQW_MODE=sid
        EQW_PYTHON=/usr/bin/python3.14
        EQW_VENVS=/opt/equiwatt-venvs
        mkdir -p "$EQW_ROOT/etc/ssl/certs" "$EQW_ROOT$EQW_REPO"
        cp -L /etc/resolv.conf "$EQW_ROOT/etc/resolv.conf" 2>/dev/null || true
        local bundle="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
        [ -f "$bundle" ] && cp -L "$bundle" "$EQW_ROOT/etc/ssl/certs/host-ca-bundle.crt"
    fi
    mkdir -p "$EQW_CACHE"
    eqw_say "Python: $(py314_run "$EQW_PYTHON" --version 2>&1 || true), $EQW_MODE"
}

# Run a command with Python 3.14 reachable, in the repository.
# Environment variables named in EQW_PASS_ENV (space separated) are passed on.
py314_run() {
    if [ "$EQW_MODE" = native ]; then
        (cd "$EQW_REPO" && "$@")
        return
    fi
    local -a envs=(
        "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=/root" "LANG=C.UTF-8"
        "PIP_CERT=/etc/ssl/certs/host-ca-bundle.crt"
        "SSL_CERT_FILE=/etc/ssl/certs/host-ca-bundle.crt"
        "PIP_DISABLE_PIP_VERSION_CHECK=1" "PIP_FIND_LINKS=" "PIP_CONFIG_FILE=/dev/null"
    )
    local name
    for name in CI TERM COLUMNS ${EQW_PASS_ENV:-} $(compgen -e | grep -E '^EQUIWATT_' || true); do
        [ -n "${!name+x}" ] && envs+=("$name=${!name}")
    done
    unshare --mount --propagation private -- /bin/sh -c '
        root="$1"; repo="$2"; shift 2
        mount -t proc proc "$root/proc" && mount -t sysfs sys "$root/sys" \
            && mount --rbind /dev "$root/dev" && mount --bind "$repo" "$root$repo" \
            || { echo "error: could not mount into $root" >&2; exit 2; }
        cd "$root$repo" && exec chroot --userspec=0:0 "$root" /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$repo" "$@"
    ' sh "$EQW_ROOT" "$EQW_REPO" /usr/bin/env -i "${envs[@]}" "$@"
}

# The file that says an environment is complete, as this shell sees it: written
# last, so that an interrupted build is redone.
eqw_marker() {
    if [ "$EQW_MODE" = native ]; then echo "$1/.equiwatt-req"; else echo "$EQW_ROOT$1/.equiwatt-req"; fi
}

# uv, pinned in requirements/uv.txt, in a small environment of its own (made with
# pip: the one installer the interpreter brings). It builds every other environment:
# it resolves and downloads in parallel, and one wheel cache serves them all, so the
# second Home Assistant environment downloads little. Its cache lies beside the
# environments (inside the sid root in sid mode): hard links from the cache then work.
eqw_uv() {
    local venv hash
    hash="$(sha256sum <"$EQW_REPO/requirements/uv.txt" | cut -c1-16)"
    venv="$EQW_VENVS/uv-$hash"
    if ! eqw_venv_ready "$venv" "$hash"; then
        { py314_run rm -rf "$venv" \
            && py314_run "$EQW_PYTHON" -m venv "$venv" \
            && py314_run "$venv/bin/python" -m pip install -q -r requirements/uv.txt; } >&2 \
            || eqw_die "installing uv failed (is the Python package index reachable?)"
        echo "$hash" >"$(eqw_marker "$venv")"
    fi
    echo "$venv/bin/uv"
}

# Run uv with its cache beside the environments, never downloading a Python of its own.
eqw_run_uv() {
    local uv="$1"
    shift
    py314_run /usr/bin/env UV_CACHE_DIR="$EQW_VENVS/uv-cache" UV_PYTHON_DOWNLOADS=never \
        UV_NO_PROGRESS=1 "$uv" "$@"
}

# The environment NAME for requirements file REQ (relative to the repository):
# prints its path as py314_run sees it, then its hash. Each set of requirements
# gets its own environment, named after their hash, so branches (or worktrees)
# that differ never rebuild each other's.
eqw_venv_of() {
    local name="$1" req="$2" hash
    hash="$(cd "$EQW_REPO" && cat "$req" "$(dirname "$req")"/*.txt | sha256sum | cut -c1-16)-$EQW_MODE"
    echo "$EQW_VENVS/$name-${hash%%-*} $hash"
}

eqw_venv_ready() {
    [ "$(cat "$(eqw_marker "$1")" 2>/dev/null)" = "$2" ]
}

# Build the environment VENV (whose requirements hash to HASH) from REQ with UV.
eqw_venv_build() {
    local uv="$1" venv="$2" hash="$3" req="$4"
    py314_run rm -rf "$venv" \
        && eqw_run_uv "$uv" venv --quiet --python "$EQW_PYTHON" "$venv" \
        && eqw_run_uv "$uv" pip install --quiet --python "$venv/bin/python" -r "$req" \
        && echo "$hash" >"$(eqw_marker "$venv")"
}

# Create or reuse the virtual environment NAME for requirements file REQ.
# Prints the environment's path as py314_run sees it.
py314_venv() {
    local name="$1" req="$2" venv hash
    read -r venv hash <<<"$(eqw_venv_of "$name" "$req")"
    if ! eqw_venv_ready "$venv" "$hash"; then
        eqw_say "building the $name environment from $req"
        eqw_venv_build "$(eqw_uv)" "$venv" "$hash" "$req" >&2 \
            || eqw_die "installing $req failed (is the Python package index reachable?)"
    fi
    echo "$venv"
}

# Build the environments NAME=REQ ... that are missing, all at once: downloads
# and installs overlap, and uv's cache is safe to share between them.
py314_venvs() {
    local spec name req venv hash uv pids=() names=() failed=0 i
    for spec in "$@"; do
        name="${spec%%=*}" req="${spec#*=}"
        read -r venv hash <<<"$(eqw_venv_of "$name" "$req")"
        eqw_venv_ready "$venv" "$hash" && continue
        [ -n "${uv:-}" ] || uv="$(eqw_uv)"
        eqw_say "building the $name environment from $req"
        eqw_venv_build "$uv" "$venv" "$hash" "$req" >"$EQW_CACHE/build-$name.log" 2>&1 &
        pids+=($!) names+=("$name")
    done
    for i in "${!pids[@]}"; do
        if ! wait "${pids[$i]}"; then
            cat "$EQW_CACHE/build-${names[$i]}.log" >&2
            eqw_say "building the ${names[$i]} environment failed"
            failed=1
        fi
    done
    [ "$failed" = 0 ] || eqw_die "installing the requirements failed (is the Python package index reachable?)"
}
