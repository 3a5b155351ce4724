#!/usr/bin/env bash
# Build the macOS app and disk image from a checkout (macOS 12+, Xcode command line tools, Python 3.11
# from python.org or Homebrew, `python3 -m pip install -e ".[packaging]"`):
#   dist/Catalynx Desktop.app                          PyInstaller's BUNDLE (packaging/catalynx.spec)
#   dist/catalynx-desktop-<version>-macos-<arch>.dmg   the .app next to an /Applications link (drag to install)
#
#   packaging/macos/build_macos.sh [--no-build]
#
# The .app is built for the architecture of the Python that runs PyInstaller (arm64 or x86_64; a
# universal2 build needs a universal2 Python and universal2 wheels of every dependency).
# Signing and notarization (optional):
#   CATALYNX_CODESIGN_IDENTITY="Developer ID Application: Name (TEAMID)"  signs the .app (hardened runtime,
#     packaging/macos/entitlements.plist) and the .dmg; without it the .app is ad-hoc signed and
#     Gatekeeper asks the user to confirm the first start (right-click > Open).
#   NOTARY_PROFILE=name  also notarizes the .dmg (xcrun notarytool store-credentials name ...) and staples it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
DIST="${DIST_DIR:-$ROOT/dist}"
BUILD="${BUILD_DIR:-$ROOT/build}"
BUILD_BUNDLE=1
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD_BUNDLE=0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "build_macos.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
[ "$(uname -s)" = Darwin ] || { echo "build_macos.sh: run this on macOS" >&2; exit 2; }

NAME=catalynx-desktop
APP_NAME="Catalynx Desktop"
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' catalynx_desktop/__init__.py)"
ARCH="$(python3 -c 'import platform; print(platform.machine())')"  # arm64 / x86_64
APP="$DIST/$APP_NAME.app"
DMG="$DIST/$NAME-$VERSION-macos-$ARCH.dmg"

if [ "$BUILD_BUNDLE" = 1 ]; then
  echo "== app (PyInstaller)"
  python3 -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" --workpath "$BUILD/pyinstaller" \
    packaging/catalynx.spec
fi
[ -x "$APP/Contents/MacOS/$NAME" ] || { echo "build_macos.sh: no app at $APP" >&2; exit 1; }

echo "== smoke test: the frozen app's --self-test"
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/$NAME" --self-test
codesign --verify --deep --strict "$APP"

echo "== $DMG"
STAGE="$BUILD/dmg"
rm -rf "$STAGE" "$DMG"
mkdir -p "$STAGE"
ditto "$APP" "$STAGE/$APP_NAME.app"   # ditto keeps the bundle's symlinks, extended attributes and signature
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "$APP_NAME $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO \
  -imagekey zlib-level=9 -ov "$DMG"
if [ -n "${CATALYNX_CODESIGN_IDENTITY:-}" ]; then
  codesign --sign "$CATALYNX_CODESIGN_IDENTITY" --timestamp "$DMG"
  if [ -n "${NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
    xcrun stapler staple "$DMG"
  fi
fi
hdiutil verify "$DMG"

echo "== sizes"
echo "app  $(du -sk "$APP" | awk '{printf "%.1f MB", $1 * 1024 / 1e6}')  ($APP)"
echo "dmg  $(stat -f %z "$DMG" | awk '{printf "%.1f MB", $1 / 1e6}')  ($DMG)"
