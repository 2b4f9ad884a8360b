"""The Teams app icons: drawn when none are given, checked when they are.

Teams wants `color.png` at 192x192 and `outline.png` at 32x32, white on a
transparent background. PNG is written and read with zlib and struct; no
imaging library needed.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ACCENT = (0x2E, 0x6B, 0x5E)  # a calm green
SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOR_SIZE, OUTLINE_SIZE = 192, 32


class IconError(Exception):
    """One line: which icon, what is wrong, what would be right."""


def color_icon(size: int = COLOR_SIZE) -> bytes:
    """Two overlapping white rings (a pair) on the accent colour, full bleed."""
    white = (255, 255, 255, 255)
    background = (*ACCENT, 255)
    return _png(size, lambda x, y: white if _in_pair(x, y, size, ring=size * 0.06) else background)


def outline_icon(size: int = OUTLINE_SIZE) -> bytes:
    """The same two rings in white on a transparent background."""
    white = (255, 255, 255, 255)
    clear = (0, 0, 0, 0)
    return _png(size, lambda x, y: white if _in_pair(x, y, size, ring=2.0) else clear)


def _in_pair(x: int, y: int, size: int, ring: float) -> bool:
    cy = size / 2
    radius = size * 0.24
    for cx in (size * 0.38, size * 0.62):
        d = ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2) ** 0.5
        if radius - ring <= d <= radius:
            return True
    return False


def _png(size: int, pixel) -> bytes:
    rows = b"".join(b"\x00" + b"".join(struct.pack("4B", *pixel(x, y)) for x in range(size)) for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


# ------------------------------------------------------------------ reading


def read_png(data: bytes) -> tuple[dict, bytes]:
    """The IHDR fields and the concatenated, decompressed image data."""
    if data[:8] != SIGNATURE:
        raise ValueError("not a PNG file")
    pos, idat, header = 8, b"", None
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            raise ValueError("the file is cut short")
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body[:13])
            header = {"width": width, "height": height, "depth": depth, "color": color, "interlace": interlace}
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if header is None:
        raise ValueError("no IHDR chunk")
    try:
        return header, zlib.decompress(idat)
    except zlib.error:
        raise ValueError("the image data is damaged") from None


def rgba_pixels(header: dict, raw: bytes) -> list[bytes]:
    """Every pixel of an 8-bit RGBA, non-interlaced PNG, unfiltered."""
    width, height, bpp = header["width"], header["height"], 4
    stride = width * bpp
    previous = bytearray(stride)
    pixels: list[bytes] = []
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        pixels.extend(bytes(line[i : i + bpp]) for i in range(0, stride, bpp))
        previous = line
    return pixels


def checked_icon(path: Path, option: str, *, size: int, outline: bool) -> bytes:
    """The icon's bytes, or IconError naming the option and what Teams needs."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise IconError(f"{option}: cannot read {path} ({err.strerror})") from None
    try:
        header, raw = read_png(data)
    except ValueError as err:
        raise IconError(f"{option}: {path} is not a usable PNG ({err})") from None
    if (header["width"], header["height"]) != (size, size):
        raise IconError(f"{option}: {path} is {header['width']}x{header['height']} pixels; Teams needs {size}x{size}")
    if outline:
        if (header["depth"], header["color"], header["interlace"]) != (8, 6, 0):
            raise IconError(f"{option}: save {path} as an 8-bit RGBA PNG (white on a transparent background)")
        pixels = rgba_pixels(header, raw)
        if any(p[3] and p[:3] != b"\xff\xff\xff" for p in pixels):
            raise IconError(f"{option}: {path} must be white on a transparent background (Teams tints it)")
        if all(p[3] == 255 for p in pixels):
            raise IconError(f"{option}: {path} has no transparent pixel; the background must be transparent")
    return data
