#!/usr/bin/env bash
# Build the Linux installers from a checkout:
#   dist/catalynx-desktop/                              the one-dir bundle (PyInstaller, packaging/catalynx.spec)
#   dist/catalynx-desktop-<version>-linux-<arch>.tar.gz  the bundle in a catalynx-desktop-<version>/ folder
#   dist/catalynx-desktop_<version>_<debarch>.deb        /opt/catalynx-desktop + /usr/bin link + menu entry + icons
#
#   packaging/build_linux.sh              build the bundle, smoke-test it, make the tar.gz and the .deb
#   packaging/build_linux.sh --no-build   package an existing dist/catalynx-desktop (after its smoke test)
#
# Needs: python3 with `pip install -e ".[packaging]"` (PyInstaller), binutils (objdump, readelf, strip),
# dpkg-deb, tar, gzip. Optional: desktop-file-validate (desktop-file-utils) checks the menu entry.
# DIST_DIR / BUILD_DIR override dist/ and build/; PACKAGE_FAST=1 compresses fast and large (for tests).
set -euo pipefail
umask 022
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
DIST="${DIST_DIR:-$ROOT/dist}"
BUILD="${BUILD_DIR:-$ROOT/build}"
BUILD_BUNDLE=1
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD_BUNDLE=0 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "build_linux.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

NAME=catalynx-desktop
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' catalynx_desktop/__init__.py)"
ARCH="$(uname -m)"                                   # x86_64
DEB_ARCH="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
BUNDLE="$DIST/$NAME"
TARBALL="$DIST/$NAME-$VERSION-linux-$ARCH.tar.gz"
DEB="$DIST/${NAME}_${VERSION}_${DEB_ARCH}.deb"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
GZIP_LEVEL=-6 DEB_COMPRESSION=(-Zxz)
[ "${PACKAGE_FAST:-0}" = 1 ] && GZIP_LEVEL=-1 DEB_COMPRESSION=(-Zgzip -z1)
mb() { echo "$(( $1 / 1000000 )).$(( $1 % 1000000 / 100000 )) MB"; }

if [ "$BUILD_BUNDLE" = 1 ]; then
  echo "== bundle (PyInstaller)"
  python3 -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" --workpath "$BUILD/pyinstaller" \
    packaging/catalynx.spec
fi
[ -x "$BUNDLE/$NAME" ] || { echo "build_linux.sh: no bundle at $BUNDLE" >&2; exit 1; }

echo "== smoke test: the frozen app's --self-test"
QT_QPA_PLATFORM=offscreen timeout 300 "$BUNDLE/$NAME" --self-test

echo "== $TARBALL"
rm -f "$TARBALL"
# Members under catalynx-desktop-<version>/ (symlink targets inside the bundle are left alone).
tar -C "$DIST" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
  --transform "s,^$NAME,$NAME-$VERSION,S" -cf - "$NAME" | gzip "$GZIP_LEVEL" -n > "$TARBALL"  # -9: 0.4 MB less, 3x the time

echo "== $DEB"
STAGE="$BUILD/deb/${NAME}_${VERSION}_${DEB_ARCH}"
rm -rf "$STAGE" "$DEB"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/doc/$NAME" "$STAGE/usr/share/icons/hicolor/scalable/apps"
cp -a "$BUNDLE" "$STAGE/opt/$NAME"
ln -s "/opt/$NAME/$NAME" "$STAGE/usr/bin/$NAME"
install -m 0644 packaging/linux/$NAME.desktop "$STAGE/usr/share/applications/$NAME.desktop"
for size in 16 24 32 48 64 128 256 512; do
  install -D -m 0644 "resources/icons/catalynx-$size.png" "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/$NAME.png"
done
install -m 0644 resources/icons/catalynx.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/$NAME.svg"
cat > "$STAGE/usr/share/doc/$NAME/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $NAME
License: MIT
Comment: /opt/$NAME/_internal holds Python $(python3 -c 'import platform; print(platform.python_version())'),
 Qt/PySide6 (LGPLv3), numpy, pyqtgraph and the other libraries listed in pyproject.toml,
 each under its own license.
EOF
# The bundle carries its own Python and Qt; glibc and the graphics stack (EGL/GL, X11/xcb, fonts) come
# from the system. libc6: the newest GLIBC_x.y symbol version any bundled file asks for.
GLIBC="$(find "$STAGE/opt/$NAME" -type f \( -name '*.so*' -o -name "$NAME" \) -exec objdump -T {} + 2>/dev/null \
  | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)"
DEPENDS="libc6 (>= $GLIBC), libegl1, libgl1, libglib2.0-0t64 | libglib2.0-0, libfontconfig1, libfreetype6,
 libdbus-1-3, libxkbcommon0, libxkbcommon-x11-0, libx11-xcb1, libxcb-cursor0, libxcb-icccm4, libxcb-image0,
 libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xfixes0, libxcb-xinerama0, libxcb-xkb1"
cat > "$STAGE/DEBIAN/control" <<EOF
Package: $NAME
Version: $VERSION
Section: utils
Priority: optional
Architecture: $DEB_ARCH
Maintainer: Catalynx Desktop maintainers <catalynx-desktop@users.noreply.github.com>
Installed-Size: $(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
Depends: $DEPENDS
Description: grant research on the desktop
 Keep profiles of the organizations you raise money for, import funders and
 funding opportunities (IRS Business Master File, Grants.gov extracts, your own
 lists), see them matched and scored against a profile, and move the good ones
 through a pipeline to a shortlist you export.
EOF
find "$STAGE" -type d -exec chmod 0755 {} +
dpkg-deb --root-owner-group "${DEB_COMPRESSION[@]}" --build "$STAGE" "$DEB" >/dev/null

echo "== checks"
dpkg-deb --info "$DEB" | sed -n '/Package:/,/Description:/p'
dpkg-deb --contents "$DEB" | grep -E ' \./(usr/bin/|usr/share/applications/|usr/share/icons/hicolor/(48x48|scalable)/apps/|opt/catalynx-desktop/catalynx-desktop$)'
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$STAGE/usr/share/applications/$NAME.desktop" && echo "desktop entry: valid"
fi

echo "== sizes"
echo "bundle   $(mb "$(du -sb "$BUNDLE" | cut -f1)")  ($BUNDLE)"
echo "tar.gz   $(mb "$(stat -c %s "$TARBALL")")  ($TARBALL)"
echo ".deb     $(mb "$(stat -c %s "$DEB")")  ($DEB)"
