"""Windows .ico and macOS .icns files built from the PNGs in resources/icons (pure Python).

Both formats may hold PNG data as is (ICO since Windows Vista, ICNS since macOS 10.7), so no
Pillow or iconutil is needed: the spec calls these at build time on any platform.

    python3 packaging/icon_formats.py OUT_DIR      # writes OUT_DIR/catalynx.ico and catalynx.icns
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (the @2x types reuse the next size up).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def _png(size: int, icons: Path) -> bytes:
    data = (icons / f"catalynx-{size}.png").read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"catalynx-{size}.png is not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    if (width, height) != (size, size):
        raise ValueError(f"catalynx-{size}.png is {width}x{height}, expected {size}x{size}")
    return data


def write_ico(target: Path, icons: Path = ICONS) -> Path:
    images = [(size, _png(size, icons)) for size in ICO_SIZES]
    header = struct.pack("<HHH", 0, 1, len(images))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(images)
    directory, payload = b"", b""
    for size, data in images:
        side = 0 if size >= 256 else size  # 0 means 256 in the directory entry
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        payload += data
    target.write_bytes(header + directory + payload)
    return target


def write_icns(target: Path, icons: Path = ICONS) -> Path:
    elements = b""
    for kind, size in ICNS_TYPES:
        data = _png(size, icons)
        elements += kind + struct.pack(">I", 8 + len(data)) + data
    target.write_bytes(b"icns" + struct.pack(">I", 8 + len(elements)) + elements)
    return target


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    print(write_ico(out / "catalynx.ico"), write_icns(out / "catalynx.icns"))
