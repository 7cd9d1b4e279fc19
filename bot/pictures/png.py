"""PNG encoding in bands (the pictures keep their pieces in ``bot.lru.Lru`` maps).

Most of a picture is the same for everyone who looks at the same path in the same language,
and Pillow's PNG encoder (adaptive row filters, then zlib) costs more than drawing. So a
picture is encoded as horizontal *bands*, each a raw-deflate piece ending on a byte boundary
(a sync flush), and the pieces are concatenated into one zlib stream: the static bands are
compressed once per layout, the bands of node rows once per combination of their states,
and only what no cache holds is drawn and compressed. Rows use PNG filter 0 (none), which
with zlib's matching compresses these flat pictures better than Pillow's adaptive filters.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZLIB_HEADER = b"\x78\x9c"  # deflate, 32 KiB window, default level
_FINAL_EMPTY_BLOCK = b"\x03\x00"  # a final fixed-Huffman block holding nothing
_ADLER_BASE = 65521
STATIC_LEVEL = 6  # zlib level for the bands compressed once per layout
BAND_LEVEL = 3  # and for the rest: a third of level 6's time, a few per cent more bytes


@dataclass(frozen=True, slots=True)
class Band:
    """Some rows of a picture as a raw-deflate piece, with the Adler-32 and length of the
    filtered bytes it holds (to compute the zlib stream's checksum without them)."""

    deflate: bytes
    adler: int
    size: int


def pack_band(image: Image.Image, level: int = BAND_LEVEL) -> Band:
    """Every row of an RGB ``image`` with filter byte 0, deflated and sync-flushed."""
    raw = image.tobytes()
    stride = image.width * 3
    view = memoryview(raw)
    data = b"\x00" + b"\x00".join(view[i : i + stride] for i in range(0, len(raw), stride))
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Band(comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH), zlib.adler32(data), len(data))


def _adler_combine(a1: int, a2: int, len2: int) -> int:
    """Adler-32 of A+B from those of A and B (zlib's adler32_combine)."""
    rem = len2 % _ADLER_BASE
    sum1 = a1 & 0xFFFF
    sum2 = (rem * sum1) % _ADLER_BASE
    sum1 += (a2 & 0xFFFF) + _ADLER_BASE - 1
    sum2 += ((a1 >> 16) & 0xFFFF) + ((a2 >> 16) & 0xFFFF) + _ADLER_BASE - rem
    sum1 %= _ADLER_BASE
    sum2 %= _ADLER_BASE
    return sum1 | (sum2 << 16)


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and the CRC over type and data."""
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))
    )


def png_from_bands(width: int, height: int, bands: Sequence[Band]) -> bytes:
    """An 8-bit RGB PNG whose pixel rows are ``bands``, top to bottom."""
    adler = 1
    for band in bands:
        adler = _adler_combine(adler, band.adler, band.size)
    idat = b"".join(
        (_ZLIB_HEADER, *(b.deflate for b in bands), _FINAL_EMPTY_BLOCK, struct.pack(">I", adler))
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join(
        (_PNG_SIGNATURE, _chunk(b"IHDR", ihdr), _chunk(b"IDAT", idat), _chunk(b"IEND", b""))
    )


def png_of(image: Image.Image) -> bytes:
    """A whole image as one band: for a picture no cache can help with."""
    return png_from_bands(image.width, image.height, [pack_band(image.convert("RGB"))])
