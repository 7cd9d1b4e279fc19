"""Typed model of the curriculum file.

The seed is prose; these models are the contract the rest of the bot relies on, so every
cross-reference (a step naming a chapter, an alias shared by two paths) is checked here,
once, at load time.
"""

from __future__ import annotations

import re
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CHAPTER_ID = re.compile(r"^[1-9]\d*\.[1-9]\d*$")
PATH_ID = re.compile(r"^[a-z][a-z0-9-]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """A string in the seed's Chinese and its English rendering."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, locale: str) -> str:
        return self.zh if locale.startswith("zh") else self.en


class Chapter(_Model):
    id: str
    title: Text
    link: str = Field(min_length=1, description="The seed's relative link path.")

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not CHAPTER_ID.match(v):
            raise ValueError(f"chapter id {v!r} must look like '4.2' (part.chapter)")
        return v

    @property
    def part(self) -> int:
        return int(self.id.split(".")[0])

    @property
    def number(self) -> int:
        return int(self.id.split(".")[1])


class Part(_Model):
    id: int = Field(ge=1)
    title: Text
    chapters: list[Chapter] = Field(min_length=1)

    @model_validator(mode="after")
    def _chapters_belong(self) -> Part:
        for i, ch in enumerate(self.chapters, start=1):
            if ch.part != self.id or ch.number != i:
                raise ValueError(
                    f"chapter {ch.id} is listed as chapter {i} of part {self.id};"
                    f" expected id {self.id}.{i}"
                )
        return self


class Stage(_Model):
    id: int = Field(ge=1)
    title: Text


class Step(_Model):
    stage: int = Field(ge=1)
    chapters: list[str] = Field(min_length=1)
    focus: Text
    days: int = Field(gt=0, le=365)


class StackGroup(_Model):
    """One commented block of the seed's "关键技术栈" (install lines)."""

    label: Text
    lines: list[str] = Field(min_length=1)


class Path(_Model):
    id: str
    aliases: list[str] = Field(default_factory=list)
    icon: str = ""
    title: Text
    goal: Text
    skills: list[Text] = Field(min_length=1)
    route: list[int] = Field(min_length=1, description="Part ids in the route diagram's order.")
    stages: list[Stage] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    stack: list[StackGroup] = Field(default_factory=list)
    projects: list[Text] = Field(default_factory=list)
    papers: list[Text] = Field(default_factory=list)
    weeks: Text | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not PATH_ID.match(v):
            raise ValueError(f"path id {v!r} must be lowercase letters, digits or '-'")
        return v

    @model_validator(mode="after")
    def _stages_known(self) -> Path:
        stage_ids = [s.id for s in self.stages]
        if len(set(stage_ids)) != len(stage_ids):
            raise ValueError(f"path {self.id!r} has duplicate stage ids {stage_ids}")
        for i, step in enumerate(self.steps):
            if step.stage not in stage_ids:
                raise ValueError(
                    f"steps[{i}].stage {step.stage} is not one of the stages {sorted(stage_ids)}"
                )
        return self

    @property
    def total_days(self) -> int:
        return sum(s.days for s in self.steps)

    @property
    def chapter_ids(self) -> list[str]:
        return [c for s in self.steps for c in s.chapters]


class BridgeItem(_Model):
    chapter: str
    text: Text


class Bridge(_Model):
    """An "进阶路径" (advanced path) from one career path to another."""

    id: str
    from_path: str
    to_path: str
    title: Text
    items: list[BridgeItem] = Field(min_length=1)


class Tip(_Model):
    category: Text
    text: Text


class Curriculum(_Model):
    title: Text
    parts: list[Part] = Field(min_length=1)
    paths: list[Path] = Field(min_length=1)
    bridges: list[Bridge] = Field(default_factory=list)
    tips: list[Tip] = Field(default_factory=list)
    pitfalls: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross_references(self) -> Curriculum:
        ids = [c.id for p in self.parts for c in p.chapters]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate chapter ids: {sorted(dup)}")
        part_ids = [p.id for p in self.parts]
        if len(set(part_ids)) != len(part_ids):
            raise ValueError("duplicate part ids")
        known = set(ids)
        for label, values in (
            ("path", [p.id for p in self.paths]),
            ("bridge", [b.id for b in self.bridges]),
        ):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"duplicate {label} ids: {repeated}")
        seen_names: dict[str, str] = {}
        for path in self.paths:
            for i, step in enumerate(path.steps):
                for ch in step.chapters:
                    if ch not in known:
                        raise ValueError(
                            f"path {path.id!r} steps[{i}] names chapter {ch!r}, which no part has"
                        )
            for r in path.route:
                if r not in part_ids:
                    raise ValueError(f"path {path.id!r} route names part {r}, which does not exist")
            for name in [path.id, *path.aliases]:
                key = name.casefold()
                if key in seen_names and seen_names[key] != path.id:
                    raise ValueError(
                        f"name {name!r} is used by both paths {seen_names[key]!r} and {path.id!r}"
                    )
                seen_names[key] = path.id
        path_ids = {p.id for p in self.paths}
        for b in self.bridges:
            for end in (b.from_path, b.to_path):
                if end not in path_ids:
                    raise ValueError(f"bridge {b.id!r} names path {end!r}, which does not exist")
            for item in b.items:
                if item.chapter not in known:
                    raise ValueError(
                        f"bridge {b.id!r} names chapter {item.chapter!r}, which no part has"
                    )
        return self

    @cached_property
    def chapters(self) -> dict[str, Chapter]:
        return {c.id: c for p in self.parts for c in p.chapters}

    @cached_property
    def path_by_id(self) -> dict[str, Path]:
        return {p.id: p for p in self.paths}
