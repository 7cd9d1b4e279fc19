"""Load and validate a curriculum file, failing with the file and the field at fault."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from curriculum.models import Curriculum

DEFAULT_FILE = "llm-skill-tree.toml"


class CurriculumError(ValueError):
    """A curriculum file that cannot be used; the message names the file and the field."""


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def parse_curriculum(data: dict[str, Any], source: str) -> Curriculum:
    try:
        return Curriculum.model_validate(data)
    except ValidationError as exc:
        problems = [f"{source}: {_loc(e['loc'])}: {e['msg']}" for e in exc.errors()[:10]]
        raise CurriculumError("\n".join(problems)) from None


def load_curriculum(path: str | FsPath | None = None) -> Curriculum:
    """Read the packaged curriculum, or a team's own file when ``path`` is given."""
    if path is None:
        source = DEFAULT_FILE
        raw = resources.files("curriculum").joinpath("data", DEFAULT_FILE).read_text("utf-8")
    else:
        source = str(path)
        try:
            raw = FsPath(path).read_text("utf-8")
        except OSError as exc:
            raise CurriculumError(f"{source}: cannot read the file ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise CurriculumError(f"{source}: the file is not UTF-8 text") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise CurriculumError(f"{source}: not valid TOML: {exc}") from None
    return parse_curriculum(data, source)
