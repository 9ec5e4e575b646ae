#!/usr/bin/env bash
# Build the Linux one-folder application dist/SynLeaF-Desktop/ with PyInstaller.
#
#   packaging/build_linux.sh            # from the repository root (or anywhere)
#   packaging/build_linux.sh --tarball  # also pack dist/SynLeaF-Desktop-<version>-linux-<arch>.tar.gz
#
# What it does:
#   1. creates a build virtual environment, build/pyinstaller-venv/ by default (never the
#      project's .venv: the build env holds only the runtime dependencies of pyproject.toml,
#      torch==2.13.0 CPU first, plus PyInstaller; no pytest, so nothing test-only is frozen);
#      set SYNLEAF_BUILD_VENV=DIR to use another one (it is created when missing; an existing
#      one, e.g. SYNLEAF_BUILD_VENV=.venv, is reused and only PyInstaller is added to it);
#   2. runs PyInstaller on packaging/synleaf.spec (work files in build/pyinstaller/);
#   3. copies packaging/linux/install.sh and the .desktop entry into the app folder (the
#      user runs ./install.sh there: ~/.local/opt, menu entry, icon, ~/.local/bin links);
#   4. checks the result: both executables answer --version, resources/ and bundled_models/
#      resolve inside the app folder; with --tarball, packs the folder.
#
# Environment: PYTHON (interpreter for the build venv; default python3; must be a CPython
# built with --enable-shared, as python.org, pyenv and distribution builds are),
# TORCH_PIN (default torch==2.13.0), PYINSTALLER_PIN (default pyinstaller>=6.10,<7).
# Run it with `nice -n 10` on a shared machine: the analysis of torch takes minutes.
set -euo pipefail

TARBALL=0
for arg in "$@"; do
    case "$arg" in
        --tarball) TARBALL=1 ;;
        -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
        *) echo "unknown option: $arg" >&2; exit 2 ;;
    esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="${SYNLEAF_BUILD_VENV:-build/pyinstaller-venv}"
TORCH_PIN="${TORCH_PIN:-torch==2.13.0}"
PYINSTALLER_PIN="${PYINSTALLER_PIN:-pyinstaller>=6.10,<7}"
APP="dist/SynLeaF-Desktop"

log() { printf '[build_linux] %s\n' "$*" >&2; }

if [ ! -x "$VENV/bin/python" ]; then
    log "creating the build venv $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    # torch first and pinned: an unpinned torch would pull several GB of CUDA packages
    "$VENV/bin/pip" install --quiet "$TORCH_PIN"
    # the runtime dependencies from pyproject.toml (not the package itself: PyInstaller
    # freezes the source tree, and not the [test] extra)
    mkdir -p build
    "$VENV/bin/python" - > build/runtime-requirements.txt <<'PY'
import tomllib
with open("pyproject.toml", "rb") as fh:
    print("\n".join(tomllib.load(fh)["project"]["dependencies"]))
PY
    "$VENV/bin/pip" install --quiet -r build/runtime-requirements.txt
fi
"$VENV/bin/pip" install --quiet "$PYINSTALLER_PIN"
log "python: $("$VENV/bin/python" --version); pyinstaller: $("$VENV/bin/pyinstaller" --version)"

log "freezing (this takes a few minutes)"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/synleaf.spec

cp packaging/linux/install.sh packaging/linux/synleaf-desktop.desktop "$APP/"
mkdir -p "$APP/_internal/bundled_models"  # where the shipped models live (empty if none were built)

log "checking $APP"
"$APP/synleaf" --version
"$APP/synleaf-desktop" --version
# the app's own view of its folders: both must lie inside the application folder
# every command group must be inside (the CLI imports them by name), from a bare environment
for group in score partners models data resources train bundle export inspect; do
    env -i HOME="$HOME" PATH=/usr/bin:/bin "$APP/synleaf" "$group" --help >/dev/null \
        || { log "the frozen CLI lacks the command group '$group'"; exit 1; }
done
internal="$(cd "$APP/_internal" && pwd)"
for sub in resources/genes/genes.tsv.gz resources/kg/graph.npz resources/icons/synleaf-desktop.png; do
    [ -f "$internal/$sub" ] || { log "missing $internal/$sub"; exit 1; }
done
ls "$internal/bundled_models"/*/manifest.json >/dev/null 2>&1 \
    || log "note: no models in bundled_models/ (none were built): the app starts with its no-models message"
du -sh "$APP"
if [ "$TARBALL" = 1 ]; then
    version="$("$APP/synleaf" --version | awk '{print $2}')"
    tarball="dist/SynLeaF-Desktop-$version-linux-$(uname -m).tar.gz"
    log "packing $tarball"
    tar -C dist -czf "$tarball" SynLeaF-Desktop
    ls -la "$tarball"
fi
log "done: $APP (start it with $APP/synleaf-desktop; CLI: $APP/synleaf)"
