"""`escrow audit --files DIR`: every evidence file a trail's steps name is in DIR, unchanged; and
`--files-from-store`, in the store the settings name (on a bucket: tests/test_evidence_s3.py).

The trails are real: built by the escrow machine (tests/kits/machine_kit.py) and exported as the
workflow's `audit_trail` query does. Which payload fields name files is read from the step
declarations (`Files`, domain/steps/files.py).
"""

import json
from pathlib import Path

import pytest

from cli.audit import CHUNK_BYTES, digests_in, file_digest, verify_file
from domain.audit import NamedFile, files_named_by_trail, files_of_step
from domain.steps.files import file_hash
from evidence.store import original_key
from tests.kits.audit_files import CLIP, PHOTO, audit, trail_naming


def written(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture
def trail_file(tmp_path: Path) -> Path:
    path = tmp_path / "trail.json"
    path.write_text(json.dumps(trail_naming(file_hash(PHOTO), file_hash(CLIP))))
    return path


def test_the_trail_names_each_file_with_the_step_that_named_it(trail_file: Path):
    trail = json.loads(trail_file.read_text())
    seqs = {entry["action"]: entry["seq"] for entry in trail["entries"]}
    assert files_named_by_trail(trail) == [
        NamedFile(file_hash(PHOTO), "inspection.request", seqs["inspection.request"]),
        NamedFile(file_hash(CLIP), "dispute.raise", seqs["dispute.raise"]),
    ]


def test_every_named_file_present_under_any_name_passes(trail_file: Path, tmp_path: Path):
    folder = written(tmp_path / "evidence", {"IMG_0001.jpg": PHOTO, "clips/drain.mp4": CLIP})
    ran = audit(trail_file, "--files", str(folder))
    assert ran.returncode == 0, ran.stdout
    assert "all 2 named file(s) found unchanged" in ran.stdout and "missing" not in ran.stdout


def test_a_missing_file_fails_the_audit_naming_its_hash(trail_file: Path, tmp_path: Path):
    folder = written(tmp_path / "evidence", {"IMG_0001.jpg": PHOTO})
    ran = audit(trail_file, "--files", str(folder))
    assert ran.returncode == 1
    assert (
        f"missing {file_hash(CLIP)} (dispute.raise" in ran.stdout
        and f"missing {file_hash(PHOTO)}" not in ran.stdout
    )
    assert "evidence it names is missing or altered" in ran.stdout
    assert audit(trail_file).returncode == 0  # without --files the audit is what it always was


def test_a_file_whose_bytes_changed_is_not_found(trail_file: Path, tmp_path: Path):
    folder = written(
        tmp_path / "evidence", {"IMG_0001.jpg": PHOTO, "drain.mp4": CLIP.replace(b"drain", b"drains")}
    )
    assert verify_file(trail_file, folder) == 1
    assert verify_file(trail_file, written(folder, {"drain.mp4": CLIP})) == 0


def test_a_claim_names_its_files_through_its_own_model():
    claim = {
        "domain": "renovation",
        "items": [{"item_id": "leak", "description": "the floor leaks"}],
        "main_specialty": "waterproofing",
        "disputed_fen": 100_000,
        "remedy_sought": "refund the stage",
        "evidence": [file_hash(PHOTO), file_hash(CLIP)],
    }
    assert files_of_step("claim.file", claim) == [file_hash(PHOTO), file_hash(CLIP)]


def test_a_step_the_tables_do_not_know_or_a_malformed_payload_names_no_file():
    assert files_of_step("no.such.step", {"evidence": [file_hash(PHOTO)]}) == []
    assert files_of_step("dispute.raise", {"evidence": [file_hash(PHOTO)]}) == []  # no reason: refused


def test_files_are_hashed_a_chunk_at_a_time_in_every_sub_folder(tmp_path: Path):
    big = bytes(range(256)) * (CHUNK_BYTES // 128 + 3)  # more than two chunks, not a whole number
    folder = written(tmp_path, {"a/b/video.mp4": big, "photo.jpg": PHOTO})
    assert file_digest(folder / "a/b/video.mp4") == file_hash(big)
    assert digests_in(folder) == {file_hash(big), file_hash(PHOTO)}


def test_files_that_are_not_a_folder_stop_the_audit_before_it_starts(trail_file: Path, tmp_path: Path):
    ran = audit(trail_file, "--files", str(tmp_path / "nowhere"))
    assert ran.returncode == 2 and "is not a folder" in ran.stdout


def test_the_files_from_the_local_store_the_settings_name(trail_file: Path, tmp_path: Path):
    """`--files-from-store` on the default store, the data dir's `evidence/` folder: the files
    where the app keeps them, a missing one named by its hash; the memory store has none to audit."""
    data_dir = tmp_path / "data"
    stored = data_dir / "evidence" / original_key(file_hash(PHOTO))
    written(stored.parent, {stored.name: PHOTO})
    ran = audit(trail_file, "--files-from-store", env={"ESCROW_DATA_DIR": str(data_dir)})
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert f"missing {file_hash(CLIP)} (dispute.raise" in ran.stdout and "found" in ran.stdout
    assert f"{file_hash(PHOTO)} (" not in ran.stdout, "the photo is found"
    memory = audit(trail_file, "--files-from-store", env={"ESCROW_EVIDENCE_STORE": "memory"})
    assert memory.returncode == 2 and "keeps no files to audit" in memory.stdout
    both = audit(trail_file, "--files-from-store", "--files", str(tmp_path))
    assert both.returncode == 2 and "not both" in both.stderr
