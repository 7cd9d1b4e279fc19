"""The curriculum as plain JSON-able data (``skilltree curriculum export``)."""

from __future__ import annotations

from typing import Any

from curriculum.models import Curriculum


def curriculum_to_dict(cur: Curriculum) -> dict[str, Any]:
    data = cur.model_dump(mode="json")
    for path_data, path in zip(data["paths"], cur.paths, strict=True):
        path_data["total_days"] = path.total_days
    return data
