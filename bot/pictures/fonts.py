"""Font discovery: a CJK font for Chinese pictures where one is installed, else English.

Fonts are looked up once per process (the answers are cached); a missing CJK font is not an
error but the reason pictures fall back to English titles (no tofu boxes).
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from pathlib import Path as FsPath

from PIL import ImageFont

log = logging.getLogger(__name__)

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
LATIN_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)


def _fc_match(pattern: str) -> str | None:
    """fontconfig's answer for ``pattern``, or None where it is not installed or fails."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}", pattern], capture_output=True, text=True, timeout=5, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


@functools.cache
def cjk_font_path() -> str | None:
    """A font that has Chinese glyphs, or None (then pictures use English titles)."""
    for candidate in CJK_FONT_CANDIDATES:
        if FsPath(candidate).exists():
            return candidate
    found = _fc_match(":lang=zh-cn")
    # fc-match always answers something; only trust it when the file looks like a CJK font.
    if found and any(k in found.lower() for k in ("cjk", "wqy", "han", "hei", "song", "ming")):
        return found
    return None


@functools.cache
def latin_font_path() -> str | None:
    """The font for English pictures: DejaVu where installed, else what fontconfig offers."""
    for candidate in LATIN_FONT_CANDIDATES:
        if FsPath(candidate).exists():
            return candidate
    return _fc_match("sans-serif")


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _face_index(path: str) -> int:
    """In a font collection, pick the Simplified Chinese face (Noto's .ttc: JP, KR, SC, ...)."""
    if not path.lower().endswith(".ttc"):
        return 0
    for index in range(8):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC") or "Hei" in family:
            return index
    return 0


@functools.cache
def load_font(size: int, cjk: bool) -> Font:
    """A font of ``size`` pixels, Chinese or Latin; Pillow's own when none is installed, so a
    picture is always drawn (in English titles when there is no CJK font)."""
    path = cjk_font_path() if cjk else latin_font_path()
    if path:
        try:
            return ImageFont.truetype(path, size, index=_face_index(path) if cjk else 0)
        except OSError:
            log.warning("cannot load font %s; using Pillow's default", path)
    return ImageFont.load_default(size)
