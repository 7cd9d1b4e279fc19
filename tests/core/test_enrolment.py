"""Enrolling, listing paths and switching between them."""

from __future__ import annotations

from tests.conftest import flat


async def test_path_mlops_enrols_and_names_the_first_step(person):
    alice = person("alice")
    reply = await alice("/path mlops")
    assert not reply.is_error
    text = flat(reply)
    assert "MLOps" in text
    assert "Step 1: 1.1–1.3" in text
    progress = await alice("/progress")
    assert "0/10" in flat(progress)


async def test_switching_paths_keeps_finished_chapters(person):
    alice = person("alice")
    await alice("/path mlops")
    await alice("/done")  # step 1 = chapters 1.1-1.3
    await alice("/done 6.2")
    reply = await alice("/path app")
    assert "4 finished chapters carry over" in flat(reply)
    progress = flat(await alice("/progress"))
    # app: step 1 (1.1-1.3, 7 days) and 6.2 (3 days) are done → 10 of 43 days.
    assert "Study days: 10/43" in progress
    assert "Steps: 2/9" in progress


async def test_misspelt_path_gets_a_suggestion_and_changes_nothing(person):
    alice = person("alice")
    reply = await alice("/path mlosp")
    assert reply.is_error
    assert "mlops" in reply.text
    assert "not enrolled" not in reply.text
    listing = await alice("/path")
    assert "haven't picked a path" in listing.text
