"""The evidence store on its own: streamed uploads into local and memory stores, refusals that
leave nothing behind, thumbnails, and location metadata kept out of the public copies."""

import io
import random
import struct
from collections.abc import AsyncIterator

import obstore
import pytest
from obstore.store import LocalStore, MemoryStore
from PIL import Image
from PIL.ExifTags import IFD, Base
from pydantic import ValidationError

from config.settings import Settings, settings_problem
from evidence.kinds import LIMITS, MB
from evidence.photos import MAX_PIXELS
from evidence.refusals import EvidenceRefused
from evidence.store import EvidenceStore, make_store, original_key, public_key, thumbnail_key
from evidence.upload import store_upload
from evidence.video import blank_locations
from tests.kits.evidence_files import (
    XMP_APP1,
    XMP_GPS,
    XMP_LATITUDE,
    XYZ,
    digest_of,
    mp4,
    pdf,
    photo,
    png,
    png_chunk_types,
)


@pytest.fixture(params=["local", "memory"])
def raw_store(request, tmp_path):
    return LocalStore(tmp_path) if request.param == "local" else MemoryStore()


def keys(raw) -> list[str]:
    return sorted(meta["path"] for batch in obstore.list(raw) for meta in batch)


async def chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


async def refused(store: EvidenceStore, digest: str, data: bytes) -> tuple[int, str]:
    with pytest.raises(EvidenceRefused) as caught:
        await store_upload(store, digest, chunks(data))
    return caught.value.status, caught.value.code


async def test_a_file_round_trips_under_its_digest(raw_store):
    store = EvidenceStore(raw_store)
    data = pdf()
    digest = digest_of(data)
    stored = await store_upload(store, digest, chunks(data, 7))
    assert (stored.size_bytes, stored.file_type.media_type, stored.has_public_copy) == (
        len(data),
        "application/pdf",
        False,
    )
    assert b"".join([c async for c in store.stream(original_key(digest))]) == data
    hex_ = digest[7:]
    assert keys(raw_store) == [f"sha256/{hex_[:2]}/{hex_[2:4]}/{hex_}"]


async def test_tampered_bytes_are_refused_and_nothing_is_stored(raw_store):
    store = EvidenceStore(raw_store)
    data = photo()
    tampered = data[:-10] + b"0123456789"
    assert await refused(store, digest_of(data), tampered) == (422, "hash_mismatch")
    assert keys(raw_store) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"GIF89a" + bytes(100), (415, "unsupported_file_type")),
        (b"<html><script>alert(1)</script></html>", (415, "unsupported_file_type")),
        (b"", (415, "unsupported_file_type")),
        (b"%PDF-1.4\n" + bytes(LIMITS["document"]), (413, "file_too_large")),
    ],
    ids=["gif", "html", "empty", "pdf-over-20MB"],
)
async def test_types_and_sizes_are_refused_from_the_bytes(raw_store, data, expected):
    store = EvidenceStore(raw_store)
    assert await refused(store, digest_of(data), data) == expected
    assert keys(raw_store) == []


async def test_a_stream_past_the_largest_limit_stops_before_reading_the_rest(raw_store):
    store = EvidenceStore(raw_store)
    read = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal read
        yield b"\x00\x00\x00\x18ftypisom" + bytes(MB - 12)
        while True:
            read += 1
            yield bytes(MB)

    with pytest.raises(EvidenceRefused) as caught:
        await store_upload(store, "sha256:" + "0" * 64, endless())
    assert (caught.value.status, caught.value.code) == (413, "file_too_large")
    assert read == LIMITS["video"] // MB, "the upload stopped at the first chunk past the limit"
    assert keys(raw_store) == []


async def test_a_photo_gets_a_thumbnail_and_no_public_copy_without_location(raw_store):
    store = EvidenceStore(raw_store)
    data = photo(1600, 1200)
    digest = digest_of(data)
    stored = await store_upload(store, digest, chunks(data))
    assert stored.has_public_copy is False
    thumb = Image.open(io.BytesIO(await store.read(thumbnail_key(digest))))
    assert (thumb.format, max(thumb.size)) == ("JPEG", 320)
    assert not await store.exists(public_key(digest))


async def test_gps_is_stripped_from_the_public_copy_and_the_orientation_applied(raw_store):
    store = EvidenceStore(raw_store)
    data = photo(400, 200, gps=True, orientation=6)  # 6: shown rotated a quarter turn
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(IFD.GPSInfo), "the test photo has GPS"
    digest = digest_of(data)
    stored = await store_upload(store, digest, chunks(data))
    assert stored.has_public_copy is True
    assert await store.read(original_key(digest)) == data, "the original is kept as uploaded"
    public = Image.open(io.BytesIO(await store.read(public_key(digest))))
    exif = public.getexif()
    assert (public.format, public.size) == ("JPEG", (200, 400))
    assert not exif.get_ifd(IFD.GPSInfo) and IFD.GPSInfo not in exif
    assert Base.Orientation not in exif and exif[Base.Make] == "TestCam"
    thumb = Image.open(io.BytesIO(await store.read(thumbnail_key(digest))))
    assert thumb.size == (160, 320), "the thumbnail is upright too"


async def test_a_png_is_a_photo_with_a_thumbnail(raw_store):
    store = EvidenceStore(raw_store)
    data = png()
    stored = await store_upload(store, digest_of(data), chunks(data))
    assert (stored.file_type.media_type, stored.file_type.kind) == ("image/png", "photo")
    assert await store.exists(thumbnail_key(digest_of(data)))
    assert stored.has_public_copy is False, "nothing but pixels: nothing to leave out"


async def test_a_location_in_xmp_iptc_or_a_comment_is_left_out_of_a_jpegs_public_copy(raw_store):
    """No EXIF GPS block: the location only in an XMP packet, an IPTC block (APP13) or a comment."""
    store = EvidenceStore(raw_store)
    iim = b"\x1c\x02\x5a" + struct.pack(">H", 8) + b"Shanghai"  # IPTC dataset 2:90, the city
    block = b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iim)) + iim
    iptc = b"\xff\xed" + struct.pack(">H", 2 + len(block)) + block  # APP13, as Photoshop writes it
    plain = photo(400, 300)
    for data in (
        photo(400, 300, xmp=XMP_GPS),
        photo(400, 300, comment=b"Flat 3, 12 Nanjing Road"),
        plain[:2] + iptc + plain[2:],
    ):
        assert not Image.open(io.BytesIO(data)).getexif().get_ifd(IFD.GPSInfo)
        digest = digest_of(data)
        stored = await store_upload(store, digest, chunks(data))
        assert stored.has_public_copy is True
        assert await store.read(original_key(digest)) == data, "the uploader's original is kept as uploaded"
        public, thumbnail = await store.read(public_key(digest)), await store.read(thumbnail_key(digest))
        for shown in (public, thumbnail):
            assert [n for n in (XMP_APP1, XMP_LATITUDE, b"Nanjing", b"Shanghai") if n in shown] == []
        copy = Image.open(io.BytesIO(public))
        assert (copy.format, copy.size, copy.getexif()[Base.Make]) == ("JPEG", (400, 300), "TestCam")


async def test_a_pngs_text_chunks_and_xmp_are_left_out_of_its_public_copy(raw_store):
    store = EvidenceStore(raw_store)
    data = png(
        texts={"Location": "31.2304 N, 121.4737 E"},
        compressed={"Comment": "taken at 31.2304 N"},
        xmp=XMP_GPS,
    )
    assert {b"tEXt", b"zTXt", b"iTXt"} <= set(png_chunk_types(data))
    digest = digest_of(data)
    stored = await store_upload(store, digest, chunks(data))
    assert stored.has_public_copy is True
    assert await store.read(original_key(digest)) == data
    public = await store.read(public_key(digest))
    assert png_chunk_types(public) == [b"IHDR", b"IDAT", b"IEND"]
    assert b"31.2304" not in public and XMP_LATITUDE not in public
    assert Image.open(io.BytesIO(public)).tobytes() == Image.open(io.BytesIO(data)).tobytes(), "same pixels"


async def test_a_decompression_bomb_is_refused_before_it_is_decoded(raw_store):
    store = EvidenceStore(raw_store)
    side = int(MAX_PIXELS**0.5) + 100
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG")  # a few KB that decode to 50+ megapixels
    data = out.getvalue()
    assert len(data) < 200_000
    assert await refused(store, digest_of(data), data) == (422, "unreadable_image")
    assert keys(raw_store) == []


async def test_a_truncated_jpeg_is_unreadable(raw_store):
    store = EvidenceStore(raw_store)
    data = photo()[:400]
    assert await refused(store, digest_of(data), data) == (422, "unreadable_image")
    assert keys(raw_store) == []


async def test_a_video_location_atom_is_blanked_in_the_public_copy(raw_store):
    store = EvidenceStore(raw_store)
    data = mp4(location=True, filler=300_000)
    digest = digest_of(data)
    stored = await store_upload(store, digest, chunks(data, 50_000))
    assert (stored.file_type.media_type, stored.has_public_copy) == ("video/mp4", True)
    public = await store.read(public_key(digest))
    assert len(public) == len(data) and XYZ in data and XYZ not in public
    assert public.replace(b"\x00", b"") != data.replace(b"\x00", b"")
    differing = [i for i in range(len(data)) if data[i] != public[i]]
    assert data.index(b"\xa9xyz") + 4 <= differing[0] and differing[-1] < len(data), "only the atom's content"


async def test_a_video_without_location_has_no_public_copy(raw_store):
    store = EvidenceStore(raw_store)
    data = mp4(location=False)
    stored = await store_upload(store, digest_of(data), chunks(data))
    assert stored.has_public_copy is False
    assert keys(raw_store) == [original_key(digest_of(data))]


def test_blanking_finds_loci_under_an_iso_meta_box():
    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    loci = box(b"loci", b"\x00\x00\x00\x00" + b"Shanghai\x00" + bytes(12))
    moov = bytearray(box(b"udta", box(b"meta", b"\x00\x00\x00\x00" + box(b"hdlr", bytes(24)) + loci)))
    assert blank_locations(moov) == 1
    assert b"Shanghai" not in moov and b"loci" in moov


def test_a_bucket_needs_its_address_and_keys_and_production_never_keeps_files_in_memory(tmp_path):
    with pytest.raises(ValidationError) as missing:
        Settings(data_dir=tmp_path, evidence_store="s3", evidence_s3_bucket="evidence")
    problem = settings_problem(missing.value)
    assert "ESCROW_EVIDENCE_S3_ENDPOINT" in problem and "ESCROW_EVIDENCE_S3_SECRET" in problem
    assert "ESCROW_EVIDENCE_S3_BUCKET" not in problem
    with pytest.raises(ValidationError, match="memory"):
        Settings(
            data_dir=tmp_path,
            environment="production",
            evidence_store="memory",
            webhook_secret="w" * 16,
            council_enrolment_secret="c" * 16,
            bank_admin_token="b" * 16,
            id_number_secret="i" * 16,
        )
    bucket = Settings(
        data_dir=tmp_path,
        evidence_store="s3",
        evidence_s3_endpoint="https://objects.example.com",
        evidence_s3_bucket="evidence",
        evidence_s3_key_id="id",
        evidence_s3_secret="never-printed-s3-key",
    )
    assert "never-printed-s3-key" not in repr(bucket)
    assert isinstance(make_store(bucket), EvidenceStore)


def test_blanking_finds_an_iphone_location_among_quicktime_metadata_keys():
    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    def key(name: bytes) -> bytes:
        return box(b"mdta", name)

    keys = box(
        b"keys",
        bytes(4)
        + struct.pack(">I", 2)
        + key(b"com.apple.quicktime.make")
        + key(b"com.apple.quicktime.location.ISO6709"),
    )
    value = box(b"data", struct.pack(">II", 1, 0) + XYZ)
    make = box(b"data", struct.pack(">II", 1, 0) + b"Apple")
    ilst = box(b"ilst", box(struct.pack(">I", 1), make) + box(struct.pack(">I", 2), value))
    moov = bytearray(box(b"meta", box(b"hdlr", bytes(25)) + keys + ilst))
    assert blank_locations(moov) == 1
    assert XYZ not in moov and b"Apple" in moov and b"com.apple.quicktime.location.ISO6709" in moov


@pytest.mark.parametrize("seed", range(12))
async def test_damaged_photos_are_refused_never_crash(raw_store, seed):
    """Bytes past a photo's signature mangled at random: readable or `unreadable_image`, nothing else."""
    rng = random.Random(seed)
    original = bytearray(photo(160, 120, gps=seed % 2 == 0) if seed % 3 else png())
    for _ in range(rng.randint(1, 40)):
        original[rng.randrange(8, len(original))] = rng.randrange(256)
    data = bytes(original)
    store = EvidenceStore(raw_store)
    try:
        await store_upload(store, digest_of(data), chunks(data))
    except EvidenceRefused as refused:
        assert (refused.status, refused.code) == (422, "unreadable_image")
        assert keys(raw_store) == []


@pytest.mark.parametrize("format_", ["PNG", "JPEG"])
async def test_a_photo_whose_exif_block_is_no_tiff_structure_is_kept_and_shared_without_metadata(
    raw_store, format_
):
    """An editor wrote garbage where the EXIF goes: the photo is evidence all the same. Its block
    cannot say whether it holds a location, so the copy for others carries no metadata at all."""
    store = EvidenceStore(raw_store)
    out = io.BytesIO()
    Image.new("RGB", (120, 90), "teal").save(out, format=format_, exif=b"Exif\x00\x00Nanjing Road 12")
    data = out.getvalue()
    assert b"Nanjing" in data
    digest = digest_of(data)
    stored = await store_upload(store, digest, chunks(data))
    assert stored.has_public_copy is True
    assert await store.read(original_key(digest)) == data
    public, thumbnail = await store.read(public_key(digest)), await store.read(thumbnail_key(digest))
    for shown in (public, thumbnail):
        assert b"Nanjing" not in shown
        assert dict(Image.open(io.BytesIO(shown)).getexif()) == {}
    assert Image.open(io.BytesIO(public)).size == (120, 90)
