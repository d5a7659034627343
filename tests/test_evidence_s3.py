"""The evidence store on a real S3-compatible server: moto's, over HTTP on a loopback port.

The bucket path of `evidence/store.py` built from settings as a deployment builds it (plain
HTTP because the endpoint says so, path-style addressing, a prefix), a multipart upload of a
file over the 5 MB part size, a tampered upload refused with nothing left in the bucket, the
key layout of docs/EVIDENCE.md read back with boto3, the API and the sweep on that bucket, and
`escrow audit --files-from-store` reading the files a trail names from it.
"""

import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image
from sqlmodel import Session

from activities.evidence import EvidenceActivities
from activities.types import EvidenceSweepInput
from client.party import Party
from config.settings import Settings
from db.models import EvidenceFile
from domain.steps.files import file_hash
from evidence.refusals import EvidenceRefused
from evidence.store import WRITE_BUFFER, EvidenceStore, make_store, original_key, public_key, thumbnail_key
from evidence.upload import store_upload
from tests.conftest import running_stack, stack_settings
from tests.kits.audit_files import CLIP, PHOTO, audit, trail_naming
from tests.kits.evidence_files import XYZ, digest_of, mp4, photo

KEY_ID, SECRET = "evidence-key", "evidence-secret"


class RequestLog(logging.Handler):
    """The request lines the server logs (werkzeug's access log): what went over the wire."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@dataclass
class Bucket:
    """A bucket of a test's own, created and listed through the server's S3 API with boto3."""

    endpoint: str
    requests: RequestLog
    name: str = field(default_factory=lambda: f"evidence-{uuid.uuid4().hex[:12]}")

    def __post_init__(self) -> None:
        self.client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
        )
        self.client.create_bucket(Bucket=self.name)

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def unfinished_uploads(self) -> list[str]:
        listed = self.client.list_multipart_uploads(Bucket=self.name)
        return [upload["Key"] for upload in listed.get("Uploads", [])]

    def settings(self, prefix: str, **more: object) -> dict[str, object]:
        return {
            "evidence_store": "s3",
            "evidence_s3_endpoint": self.endpoint,
            "evidence_s3_bucket": self.name,
            "evidence_s3_prefix": prefix,
            "evidence_s3_key_id": KEY_ID,
            "evidence_s3_secret": SECRET,
            **more,
        }


@pytest.fixture(scope="module")
def s3_server() -> Iterator[tuple[str, RequestLog]]:
    """moto's S3 server in a thread, on a port the OS picks on 127.0.0.1, stopped at teardown."""
    requests = RequestLog()
    access_log = logging.getLogger("werkzeug")
    level = access_log.level
    access_log.setLevel(logging.INFO)
    access_log.addHandler(requests)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}", requests
    finally:
        server.stop()
        access_log.removeHandler(requests)
        access_log.setLevel(level)


@pytest.fixture
def bucket(s3_server) -> Bucket:
    return Bucket(*s3_server)


async def chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


def layout(prefix: str, folder: str, digest: str, suffix: str = "") -> str:
    hex_ = digest.removeprefix("sha256:")
    return f"{prefix}/{folder}/{hex_[:2]}/{hex_[2:4]}/{hex_}{suffix}"


async def read_back(store: EvidenceStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in store.stream(key)])


async def test_a_bucket_round_trip_multipart_refusals_layout_and_cleanup(bucket, tmp_path):
    store = make_store(Settings(data_dir=tmp_path, **bucket.settings("deploy-a")))
    video = mp4(location=True, filler=5 * WRITE_BUFFER // 2)  # 12.5 MB: three parts
    video_digest = digest_of(video)
    assert len(video) > 2 * WRITE_BUFFER

    tampered = video[:-100] + b"\xff" * 100
    with pytest.raises(EvidenceRefused) as refused:
        await store_upload(store, video_digest, chunks(tampered))
    assert (refused.value.status, refused.value.code) == (422, "hash_mismatch")
    assert bucket.keys() == [] and bucket.unfinished_uploads() == [], "nothing left, incoming/ included"

    bucket.requests.lines.clear()
    stored = await store_upload(store, video_digest, chunks(video))
    assert (stored.size_bytes, stored.has_public_copy) == (len(video), True)
    incoming = f"/{bucket.name}/deploy-a/incoming/"
    parts = [line for line in bucket.requests.lines if incoming in line and "partNumber=" in line]
    assert len(parts) == 3, "the upload went up as a multipart upload of 5 MB parts"

    image = photo(1600, 1200, gps=True)
    image_digest = digest_of(image)
    assert (await store_upload(store, image_digest, chunks(image))).has_public_copy is True

    assert bucket.keys() == sorted(
        [
            layout("deploy-a", "sha256", video_digest),
            layout("deploy-a", "public", video_digest),
            layout("deploy-a", "sha256", image_digest),
            layout("deploy-a", "public", image_digest),
            layout("deploy-a", "thumbnails", image_digest, ".jpg"),
        ]
    )
    assert bucket.unfinished_uploads() == []
    assert await read_back(store, original_key(video_digest)) == video
    public_video = await read_back(store, public_key(video_digest))
    assert len(public_video) == len(video) and XYZ in video and XYZ not in public_video
    assert await read_back(store, original_key(image_digest)) == image
    thumb = Image.open(io.BytesIO(await store.read(thumbnail_key(image_digest))))
    assert (thumb.format, max(thumb.size)) == ("JPEG", 320)

    store.delete_now(original_key(video_digest), public_key(video_digest))
    store.delete_now(original_key(video_digest))  # gone already: no error
    assert not await store.exists(original_key(video_digest))
    assert len(bucket.keys()) == 3


async def test_a_refusal_mid_stream_aborts_the_multipart_upload(bucket, tmp_path):
    """Past the largest limit the upload stops; the parts already sent are aborted, not kept."""
    store = make_store(Settings(data_dir=tmp_path, **bucket.settings("deploy-b")))

    async def too_long() -> AsyncIterator[bytes]:
        yield b"%PDF-1.4\n"
        while True:
            yield bytes(WRITE_BUFFER)

    bucket.requests.lines.clear()
    with pytest.raises(EvidenceRefused) as refused:
        await store_upload(store, "sha256:" + "0" * 64, too_long())
    assert (refused.value.status, refused.value.code) == (413, "file_too_large")
    assert bucket.keys() == [] and bucket.unfinished_uploads() == []
    upload = [line for line in bucket.requests.lines if "uploadId=" in line and "partNumber=" not in line]
    aborted = any("DELETE /" in line for line in upload)
    assert aborted and not any("POST /" in line for line in upload), "aborted, never completed"


async def test_an_abandoned_upload_is_found_under_incoming_and_swept(bucket, tmp_path):
    store = make_store(Settings(data_dir=tmp_path, **bucket.settings("deploy-c")))
    await store.put("incoming/left-behind", b"half a file")
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert store.incoming_before(datetime.now(UTC) - timedelta(hours=1)) == []
    assert store.incoming_before(later) == ["incoming/left-behind"]
    store.delete_now(*store.incoming_before(later))
    assert bucket.keys() == []


async def test_the_settings_not_the_environment_choose_the_bucket(bucket, tmp_path, monkeypatch):
    """obstore reads AWS_* variables too: one set for the aws CLI must not redirect the files."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_VIRTUAL_HOSTED_STYLE_REQUEST", "true")
    store = make_store(Settings(data_dir=tmp_path, **bucket.settings("deploy-d")))
    await store.put("incoming/probe", b"x")
    assert bucket.keys() == ["deploy-d/incoming/probe"]


@pytest.fixture(scope="module")
async def s3_stack(temporal_env, tmp_path_factory, thread_pool, s3_server):
    """The test stack (API, bank, worker) with its evidence in a bucket of the S3 server."""
    bucket = Bucket(*s3_server)
    settings = stack_settings(temporal_env, tmp_path_factory.mktemp("s3-stack"), **bucket.settings("escrow"))
    async with running_stack(temporal_env.client, settings, thread_pool) as running:
        yield running, bucket


async def test_the_api_stores_serves_and_sweeps_through_the_bucket(s3_stack):
    stack, bucket = s3_stack
    owner = await Party(stack.http, "owner", "S3 Owner").register()
    data = photo(1200, 900, gps=True)
    digest = await owner.upload_evidence(data, name="bathroom.jpg")
    assert bucket.keys() == sorted(
        [
            layout("escrow", "sha256", digest),
            layout("escrow", "public", digest),
            layout("escrow", "thumbnails", digest, ".jpg"),
        ]
    )
    got = await stack.http.get(f"/evidence/{digest}", headers=owner.auth)
    assert (got.status_code, got.content) == (200, data)
    thumb = await stack.http.get(f"/evidence/{digest}/thumbnail", headers=owner.auth)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 320

    with Session(stack.engine) as session:
        session.get(EvidenceFile, digest).uploaded_at = datetime.now(UTC) - timedelta(hours=48)
        session.commit()
    sweep = EvidenceActivities(stack.engine, make_store(stack.settings)).sweep_evidence
    assert sweep(EvidenceSweepInput(grace_hours=24)).files_deleted == 1
    assert bucket.keys() == []
    gone = await stack.http.get(f"/evidence/{digest}", headers=owner.auth)
    assert (gone.status_code, gone.json()["detail"]["code"]) == (404, "no_such_file")


async def test_the_audit_checks_the_named_files_in_the_bucket_the_settings_name(bucket, tmp_path):
    """`escrow audit --files-from-store` reads the files where the app keeps them, with its own
    settings (ESCROW_EVIDENCE_*): all there passes; one missing and one whose bytes were changed
    in the bucket fail, each named by its hash."""
    settings = bucket.settings("audited")
    store = make_store(Settings(data_dir=tmp_path, **settings))
    trail = tmp_path / "trail.json"
    trail.write_text(json.dumps(trail_naming(file_hash(PHOTO), file_hash(CLIP))))
    env = {f"ESCROW_{name.upper()}": str(value) for name, value in settings.items()}
    env["ESCROW_DATA_DIR"] = str(tmp_path)

    for data in (PHOTO, CLIP):
        await store.put(original_key(file_hash(data)), data)
    ran = audit(trail, "--files-from-store", env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "all 2 named file(s) found unchanged" in ran.stdout

    await store.put(original_key(file_hash(CLIP)), CLIP.replace(b"drain", b"drains"))  # changed in place
    store.delete_now(original_key(file_hash(PHOTO)))
    ran = audit(trail, "--files-from-store", env=env)
    assert ran.returncode == 1, ran.stdout
    assert f"missing {file_hash(PHOTO)} (inspection.request" in ran.stdout
    assert f"altered {file_hash(CLIP)} (dispute.raise" in ran.stdout
    assert "evidence it names is missing or altered" in ran.stdout
    assert bucket.keys() == [layout("audited", "sha256", file_hash(CLIP))], "the audit changed nothing"
