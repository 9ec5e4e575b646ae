#!/usr/bin/env bash
# Install the built application folder for the current user (no root needed).
#
#   packaging/linux/install.sh [APP_FOLDER] [PREFIX]
#
# APP_FOLDER: the folder built by packaging/build_linux.sh (default: dist/SynLeaF-Desktop
#             next to this script's repository, or the folder this script sits in when it is
#             shipped inside the application folder).
# PREFIX:     default ~/.local. Installs:
#   PREFIX/opt/SynLeaF-Desktop/                         the application folder (replaced)
#   PREFIX/bin/synleaf-desktop, PREFIX/bin/synleaf      symbolic links to the executables
#   PREFIX/share/applications/synleaf-desktop.desktop   menu entry (Exec = absolute path)
#   PREFIX/share/icons/hicolor/{scalable,256x256}/apps/synleaf-desktop.{svg,png}
# Uninstall: packaging/linux/install.sh --uninstall [PREFIX]
# User data (models you train, imported cohorts) is NOT here: see the README ("Where your
# data lives"); installing or uninstalling never touches it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "${1:-}" = "--uninstall" ]; then
    prefix="${2:-$HOME/.local}"
    rm -rf "$prefix/opt/SynLeaF-Desktop"
    rm -f "$prefix/bin/synleaf-desktop" "$prefix/bin/synleaf" \
          "$prefix/share/applications/synleaf-desktop.desktop" \
          "$prefix/share/icons/hicolor/scalable/apps/synleaf-desktop.svg" \
          "$prefix/share/icons/hicolor/256x256/apps/synleaf-desktop.png"
    echo "removed SynLeaF Desktop from $prefix"
    exit 0
fi

if [ -n "${1:-}" ]; then
    app="$1"
elif [ -x "$here/synleaf-desktop" ]; then
    app="$here"
else
    app="$here/../../dist/SynLeaF-Desktop"
fi
prefix="${2:-$HOME/.local}"
[ -x "$app/synleaf-desktop" ] && [ -x "$app/synleaf" ] || {
    echo "error: $app is not a built SynLeaF Desktop folder (run packaging/build_linux.sh first)" >&2
    exit 2
}
app="$(cd "$app" && pwd)"
dest="$prefix/opt/SynLeaF-Desktop"
icons="$app/_internal/resources/icons"

mkdir -p "$prefix/opt" "$prefix/bin" "$prefix/share/applications" \
         "$prefix/share/icons/hicolor/scalable/apps" "$prefix/share/icons/hicolor/256x256/apps"
if [ "$app" != "$(cd "$prefix/opt" && pwd)/SynLeaF-Desktop" ]; then
    rm -rf "$dest.new"
    cp -a "$app" "$dest.new"
    rm -rf "$dest"
    mv "$dest.new" "$dest"
fi
ln -sfn "$dest/synleaf-desktop" "$prefix/bin/synleaf-desktop"
ln -sfn "$dest/synleaf" "$prefix/bin/synleaf"
cp "$icons/synleaf-desktop.svg" "$prefix/share/icons/hicolor/scalable/apps/"
cp "$icons/synleaf-desktop.png" "$prefix/share/icons/hicolor/256x256/apps/"
entry="$here/synleaf-desktop.desktop"
[ -f "$entry" ] || entry="$dest/synleaf-desktop.desktop"
sed "s|^Exec=.*|Exec=$dest/synleaf-desktop|" "$entry" > "$prefix/share/applications/synleaf-desktop.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$prefix/share/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$prefix/share/icons/hicolor" || true
echo "installed SynLeaF Desktop in $dest"
echo "start it from the applications menu, or run: $prefix/bin/synleaf-desktop   (CLI: $prefix/bin/synleaf)"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "note: $prefix/bin is not on your PATH";; esac
