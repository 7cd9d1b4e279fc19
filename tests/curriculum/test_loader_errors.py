"""A curriculum file that cannot be used fails with the file and the field at fault."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from curriculum import Curriculum, CurriculumError, load_curriculum, parse_curriculum

PACKAGED = resources.files("curriculum").joinpath("data", "llm-skill-tree.toml")


@pytest.fixture(scope="module")
def packaged_text() -> str:
    return PACKAGED.read_text("utf-8")


@pytest.fixture
def data(packaged_text: str) -> dict[str, Any]:
    """A fresh, mutable copy of the packaged curriculum as plain TOML data."""
    return copy.deepcopy(tomllib.loads(packaged_text))


def test_the_packaged_file_loads():
    cur = load_curriculum()
    assert isinstance(cur, Curriculum)
    assert len(cur.chapters) == 29
    assert [p.id for p in cur.paths] == ["app", "research", "mlops"]


def test_the_packaged_file_loads_from_an_explicit_path(tmp_path: Path, packaged_text: str):
    copy_path = tmp_path / "team.toml"
    copy_path.write_text(packaged_text, "utf-8")
    assert load_curriculum(copy_path) == load_curriculum()


def test_invalid_toml_names_the_file(tmp_path: Path):
    bad = tmp_path / "broken.toml"
    bad.write_text('title = { zh = "大模型技能树路线图", en = \n', "utf-8")
    with pytest.raises(CurriculumError) as err:
        load_curriculum(bad)
    message = str(err.value)
    assert message.startswith(str(bad))
    assert "not valid TOML" in message


def test_a_missing_file_names_the_file(tmp_path: Path):
    missing = tmp_path / "no-such-curriculum.toml"
    with pytest.raises(CurriculumError) as err:
        load_curriculum(missing)
    message = str(err.value)
    assert str(missing) in message
    assert "cannot read the file" in message
    assert "Traceback" not in message


def test_a_file_that_is_not_utf8_names_the_file(tmp_path: Path):
    latin = tmp_path / "latin1.toml"
    latin.write_bytes('title = { zh = "caf\xe9", en = "cafe" }\n'.encode("latin-1"))
    with pytest.raises(CurriculumError, match="not UTF-8"):
        load_curriculum(latin)


def test_zero_days_names_the_step_field(data: dict[str, Any]):
    data["paths"][0]["steps"][0]["days"] = 0
    with pytest.raises(CurriculumError) as err:
        parse_curriculum(data, "x.toml")
    assert "x.toml: paths[0].steps[0].days" in str(err.value)


def test_zero_days_in_a_file_names_the_file_and_the_step_field(tmp_path: Path, packaged_text: str):
    # The first "days = 7" in the packaged file is the app path's first step.
    assert "days = 7\n" in packaged_text
    edited = tmp_path / "edited.toml"
    edited.write_text(packaged_text.replace("days = 7\n", "days = 0\n", 1), "utf-8")
    with pytest.raises(CurriculumError) as err:
        load_curriculum(edited)
    assert f"{edited}: paths[0].steps[0].days" in str(err.value)


def test_a_step_naming_an_unknown_chapter_names_the_path_and_chapter(data: dict[str, Any]):
    data["paths"][1]["steps"][2]["chapters"] = ["2.2", "9.9"]
    with pytest.raises(CurriculumError) as err:
        parse_curriculum(data, "x.toml")
    message = str(err.value)
    assert message.startswith("x.toml:")
    assert "'research'" in message
    assert "'9.9'" in message


def test_a_step_in_an_unknown_stage_names_the_path_and_stage(data: dict[str, Any]):
    data["paths"][2]["steps"][0]["stage"] = 42
    with pytest.raises(CurriculumError) as err:
        parse_curriculum(data, "x.toml")
    message = str(err.value)
    assert "x.toml: paths[2]" in message
    assert "stage 42" in message


def test_two_paths_sharing_an_alias_are_rejected(data: dict[str, Any]):
    data["paths"][2]["aliases"].append("AppDev")  # "appdev" belongs to app; case is ignored
    with pytest.raises(CurriculumError) as err:
        parse_curriculum(data, "x.toml")
    message = str(err.value)
    assert "'app'" in message
    assert "'mlops'" in message


def test_an_alias_equal_to_another_paths_id_is_rejected(data: dict[str, Any]):
    data["paths"][0]["aliases"].append("Research")
    with pytest.raises(CurriculumError, match="'research'"):
        parse_curriculum(data, "x.toml")


def test_a_bridge_naming_an_unknown_chapter_is_rejected(data: dict[str, Any]):
    data["bridges"][0]["items"][0]["chapter"] = "8.1"
    with pytest.raises(CurriculumError) as err:
        parse_curriculum(data, "x.toml")
    assert "'app-to-research'" in str(err.value)
    assert "'8.1'" in str(err.value)


def test_an_unknown_field_is_rejected_with_its_location(data: dict[str, Any]):
    data["paths"][0]["steps"][1]["hours"] = 3
    with pytest.raises(CurriculumError, match=r"x\.toml: paths\[0\]\.steps\[1\]\.hours"):
        parse_curriculum(data, "x.toml")
