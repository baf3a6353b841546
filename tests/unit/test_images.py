"""The image pipeline: re-encoded WebP without metadata, upright, resized; bad files refused."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from app.services.errors import ValidationFailed
from app.services.images import MAX_PIXELS, process_image

NOT_AN_IMAGE = "The file is not a JPEG, PNG or WebP image, or it is damaged."


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def photo_with_exif(size=(400, 300), orientation=6) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 15.0), 3: "E", 4: (116.0, 23.0, 29.0)}
    return encode(Image.new("RGB", size, (10, 120, 200)), "JPEG", exif=exif.tobytes())


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header claims `width` x `height` pixels (a decompression bomb)."""
    data = encode(Image.new("L", (1, 1)), "PNG")
    ihdr_at = data.index(b"IHDR")
    fields = struct.pack(">II", width, height) + data[ihdr_at + 12:ihdr_at + 17]
    chunk = b"IHDR" + fields
    patched = chunk + struct.pack(">I", zlib.crc32(chunk))
    return data[:ihdr_at] + patched + data[ihdr_at + len(patched):]


def stored(app, key: str) -> bytes:
    return (Path(app.config["MEDIA_ROOT"]) / key).read_bytes()


def process(data: bytes, **kwargs):
    options = {"field": "image", "prefix": "test", "renditions": {"small": 64, "large": 256}}
    return process_image(data, **{**options, **kwargs})


def test_exif_and_gps_are_stripped(app):
    result = process(photo_with_exif())
    for key in result.keys.values():
        data = stored(app, key)
        assert b"SecretCam" not in data and b"Exif" not in data
        image = Image.open(io.BytesIO(data))
        assert image.format == "WEBP"
        assert len(image.getexif()) == 0
        assert "exif" not in image.info and "xmp" not in image.info


def test_orientation_is_applied_then_renditions_resized(app):
    result = process(photo_with_exif(size=(400, 300), orientation=6))
    assert (result.width, result.height) == (300, 400)  # rotated upright
    small = Image.open(io.BytesIO(stored(app, result.keys["small"])))
    large = Image.open(io.BytesIO(stored(app, result.keys["large"])))
    assert small.size == (48, 64)
    assert large.size == (192, 256)
    assert set(result.keys) == {"small", "large"}
    assert all(key.startswith("test/") and key.endswith(".webp") for key in result.keys.values())


def test_small_images_are_not_enlarged(app):
    result = process(encode(Image.new("RGB", (40, 30), "white"), "PNG"))
    large = Image.open(io.BytesIO(stored(app, result.keys["large"])))
    assert large.size == (40, 30)


@pytest.mark.parametrize(("mode", "fmt"), [("RGBA", "PNG"), ("P", "PNG"), ("L", "JPEG"),
                                           ("CMYK", "JPEG"), ("RGB", "WEBP"), ("LA", "PNG")])
def test_every_mode_becomes_rgb_or_rgba(app, mode, fmt):
    result = process(encode(Image.new(mode, (20, 20)), fmt))
    image = Image.open(io.BytesIO(stored(app, result.keys["small"])))
    assert image.mode in {"RGB", "RGBA"}


def test_transparency_is_kept(app):
    result = process(encode(Image.new("RGBA", (20, 20), (255, 0, 0, 0)), "PNG"))
    image = Image.open(io.BytesIO(stored(app, result.keys["small"])))
    assert image.mode == "RGBA" and image.getpixel((5, 5))[3] == 0


def test_each_upload_gets_new_keys(app):
    data = encode(Image.new("RGB", (20, 20)), "PNG")
    assert process(data).keys["small"] != process(data).keys["small"]


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n" + b"0" * 500,
    b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
    b"\xff\xd8\xff\xe0 truncated jpeg",
], ids=["pdf", "svg", "truncated-jpeg"])
def test_non_images_are_refused(data):
    with pytest.raises(ValidationFailed) as caught:
        process(data)
    assert caught.value.fields == {"image": [NOT_AN_IMAGE]}


def test_a_truncated_png_is_refused():
    data = encode(Image.new("RGB", (300, 300), "red"), "PNG")
    with pytest.raises(ValidationFailed) as caught:
        process(data[: len(data) // 2])
    assert caught.value.fields == {"image": [NOT_AN_IMAGE]}


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt):
    with pytest.raises(ValidationFailed) as caught:
        process(encode(Image.new("RGB", (20, 20)), fmt))
    assert caught.value.fields == {"image": [NOT_AN_IMAGE]}


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        process(b"")
    assert caught.value.fields == {"image": ["The file is empty."]}


def test_too_many_bytes_is_refused_with_the_limit():
    data = encode(Image.new("RGB", (20, 20)), "PNG")
    with pytest.raises(ValidationFailed) as caught:
        process(data + b"\0" * 2 * 1024 * 1024, max_bytes=2 * 1024 * 1024)
    assert caught.value.fields == {"image": ["Images can be at most 2 MB."]}


def test_the_field_name_is_used_in_errors():
    with pytest.raises(ValidationFailed) as caught:
        process(b"nope", field="avatar")
    assert set(caught.value.fields) == {"avatar"}


@pytest.mark.parametrize(("width", "height"), [(10_000, 10_000), (8_000, 6_251),
                                               (60_000, 60_000), (1, MAX_PIXELS + 1)])
def test_decompression_bombs_are_refused_before_decoding(width, height):
    bomb = png_claiming_size(width, height)
    assert len(bomb) < 200
    with pytest.raises(ValidationFailed) as caught:
        process(bomb)
    assert caught.value.fields["image"][0].startswith("The image has too many pixels")


def test_the_crafted_header_really_claims_that_size():
    assert Image.open(io.BytesIO(png_claiming_size(9_000, 8_000))).size == (9_000, 8_000)


def test_a_large_but_allowed_image_passes(app):
    result = process(encode(Image.new("1", (4_000, 3_000)), "PNG"), renditions={"t": 32})
    assert (result.width, result.height) == (4_000, 3_000)


def test_the_colour_profile_is_kept(app):
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(Image.new("RGB", (20, 20), "red"), "JPEG", icc_profile=profile,
                  exif=Image.Exif().tobytes())
    result = process(data)
    image = Image.open(io.BytesIO(stored(app, result.keys["small"])))
    assert image.info.get("icc_profile") == profile
