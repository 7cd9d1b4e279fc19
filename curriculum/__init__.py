"""The LLM Skill Tree curriculum as validated data."""

from curriculum.loader import CurriculumError, load_curriculum, parse_curriculum
from curriculum.models import Bridge, Chapter, Curriculum, Part, Path, Stage, Step, Text, Tip

__all__ = [
    "Bridge",
    "Chapter",
    "Curriculum",
    "CurriculumError",
    "Part",
    "Path",
    "Stage",
    "Step",
    "Text",
    "Tip",
    "load_curriculum",
    "parse_curriculum",
]
