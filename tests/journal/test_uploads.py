"""journal.uploads: good images are stored clean under a random name; bad files store nothing.

Every image is built in memory with Pillow; MEDIA_ROOT points at a temporary folder so the
assertions look at the real stored files.
"""

import re
import struct
import warnings
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile, PngImagePlugin

from journal import uploads
from journal.uploads import MAX_UPLOAD_BYTES, store_image

STORED_URL = re.compile(r"^/media/uploads/\d{4}/\d{2}/[0-9a-f]{32}\.(png|jpg|webp)$")
GPS_IFD = 0x8825
MAKE = 0x010F
ORIENTATION = 0x0112


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/media/"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path / "media"


def image_bytes(fmt, size=(32, 24), mode="RGB", color=(200, 30, 30), **save_options):
    out = BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save_options)
    return out.getvalue()


def upload(data, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_path(media, url):
    assert STORED_URL.match(url), url
    return media / url.removeprefix("/media/")


def stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def exif_with_secrets():
    exif = Image.Exif()
    exif[MAKE] = "SpyCam"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 0.0)
    return exif


def raw_png(width, height, bit_depth=1, color_type=0):
    """A PNG written by hand: a header declaring any size, and all-zero rows compressed on the fly
    (a 20000x20000 1-bit image is ~25 KB on disk but 400 MB once Pillow decodes it)."""

    def chunk(kind, payload):
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" * (1 + (width * bit_depth + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height))
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def refuse(media, data, message, **upload_kwargs):
    with pytest.raises(ValidationError) as caught:
        store_image(upload(data, **upload_kwargs))
    assert message in caught.value.messages[0]
    assert stored_files(media) == []


@pytest.fixture
def no_pixel_decoding(monkeypatch):
    """Fails the test if any image's pixel data is decoded."""

    def load(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


# --- Stored --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_store_image_valid_image_stored_reencoded_under_random_name(media, fmt, ext):
    # A polyglot: a real image with HTML after its end, which decoders ignore and re-encoding drops.
    original = image_bytes(fmt) + b"<script>alert(1)</script>"

    url = store_image(upload(original, name="../../My Holiday.exe", content_type="text/html"))

    path = stored_path(media, url)
    assert url.endswith(f".{ext}")
    assert "Holiday" not in url
    assert stored_files(media) == [path]
    assert b"<script>" not in path.read_bytes()
    with Image.open(path) as img:
        img.load()
        assert (img.format, img.size, img.mode) == (fmt, (32, 24), "RGB")
        red, green, blue = img.getpixel((5, 5))
        assert red > 150 and green < 80 and blue < 80


def test_store_image_two_uploads_get_different_names(media):
    data = image_bytes("PNG")

    assert store_image(upload(data)) != store_image(upload(data))
    assert len(stored_files(media)) == 2


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_store_image_transparent_image_keeps_alpha(media, fmt):
    url = store_image(upload(image_bytes(fmt, mode="RGBA", color=(0, 0, 255, 0))))

    with Image.open(stored_path(media, url)) as img:
        assert img.mode == "RGBA"
        assert img.getpixel((0, 0))[3] == 0


def test_store_image_palette_png_with_transparency_keeps_alpha(media):
    palette = Image.new("P", (8, 8), 0)
    palette.putpalette([255, 0, 0, 0, 255, 0])
    palette.putpixel((0, 0), 1)
    out = BytesIO()
    palette.save(out, format="PNG", transparency=1)

    url = store_image(upload(out.getvalue()))

    with Image.open(stored_path(media, url)) as img:
        assert img.mode == "RGBA"
        assert img.getpixel((0, 0))[3] == 0
        assert img.getpixel((4, 4)) == (255, 0, 0, 255)


def test_store_image_jpeg_exif_and_comment_removed(media):
    original = image_bytes("JPEG", exif=exif_with_secrets(), comment=b"secret-comment")
    assert b"SpyCam" in original and b"secret-comment" in original

    url = store_image(upload(original, name="photo.jpg", content_type="image/jpeg"))

    stored = stored_path(media, url).read_bytes()
    assert b"Exif" not in stored
    assert b"SpyCam" not in stored
    assert b"secret-comment" not in stored
    with Image.open(BytesIO(stored)) as img:
        assert dict(img.getexif()) == {}
        assert "comment" not in img.info
        assert "exif" not in img.info


def test_store_image_webp_exif_and_xmp_removed(media):
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret-xmp</x:xmpmeta>'
    original = image_bytes("WEBP", exif=exif_with_secrets(), xmp=xmp)
    assert b"SpyCam" in original and b"secret-xmp" in original

    url = store_image(upload(original, name="photo.webp", content_type="image/webp"))

    stored = stored_path(media, url).read_bytes()
    assert b"SpyCam" not in stored
    assert b"secret-xmp" not in stored
    with Image.open(BytesIO(stored)) as img:
        assert dict(img.getexif()) == {}


def test_store_image_png_text_chunks_removed(media):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "secret-author")
    info.add_text("Comment", "secret-ztxt", zip=True)
    info.add_itxt("Description", "secret-itxt", lang="en")
    original = image_bytes("PNG", pnginfo=info, exif=exif_with_secrets())

    url = store_image(upload(original))

    stored = stored_path(media, url).read_bytes()
    for chunk_type in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        assert chunk_type not in stored
    assert b"secret" not in stored
    with Image.open(BytesIO(stored)) as img:
        assert img.text == {}
        assert dict(img.getexif()) == {}


def test_store_image_exif_orientation_stored_upright(media):
    # 40x20 landscape, red on the left, blue on the right; orientation 6 means "turn 90°
    # clockwise to display", so the upright image is 20x40 with red on top.
    sideways = Image.new("RGB", (40, 20), (0, 0, 255))
    sideways.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    out = BytesIO()
    sideways.save(out, format="JPEG", exif=exif, quality=95)

    url = store_image(upload(out.getvalue(), name="photo.jpg", content_type="image/jpeg"))

    with Image.open(stored_path(media, url)) as img:
        assert img.size == (20, 40)
        assert ORIENTATION not in img.getexif()
        top, bottom = img.getpixel((10, 5)), img.getpixel((10, 35))
        assert top[0] > 200 and top[2] < 60
        assert bottom[2] > 200 and bottom[0] < 60


def test_store_image_animated_webp_keeps_first_frame_only(media):
    frames = [Image.new("RGB", (16, 16), color) for color in [(255, 0, 0), (0, 0, 255)]]
    out = BytesIO()
    frames[0].save(out, format="WEBP", save_all=True, append_images=frames[1:], duration=100)

    url = store_image(upload(out.getvalue(), name="anim.webp", content_type="image/webp"))

    with Image.open(stored_path(media, url)) as img:
        assert getattr(img, "n_frames", 1) == 1
        red, _, blue = img.convert("RGB").getpixel((8, 8))
        assert red > 200 and blue < 60


# --- Refused, nothing stored ---------------------------------------------------------------------


def test_store_image_svg_with_script_named_png_refused(media):
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script></svg>"
    )
    refuse(media, svg, "not a PNG, JPEG or WebP image")


def test_store_image_html_named_png_with_image_content_type_refused(media):
    html = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    refuse(media, html, "not a PNG, JPEG or WebP image", content_type="image/png")


def test_store_image_renamed_python_script_refused(media):
    script = b"#!/usr/bin/env python3\nimport os\nos.system('rm -rf /')\n"
    refuse(media, script, "not a PNG, JPEG or WebP image", name="cat.jpg")


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "PDF", "TIFF", "ICO"])
def test_store_image_other_image_format_refused(media, fmt):
    refuse(media, image_bytes(fmt), "not a PNG, JPEG or WebP image")


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "cut.png"), ("JPEG", "cut.jpg")])
def test_store_image_truncated_image_refused(media, fmt, name):
    noisy = Image.effect_noise((300, 200), 64).convert("RGB")  # incompressible, so truly cut
    out = BytesIO()
    noisy.save(out, format=fmt)
    whole = out.getvalue()

    refuse(media, whole[: len(whole) // 2], "damaged or incomplete", name=name)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_store_image_decompression_bomb_refused_without_decoding(media, no_pixel_decoding):
    bomb = raw_png(20_000, 20_000)  # 400 megapixels: beyond Pillow's own hard limit
    assert len(bomb) < 100_000

    refuse(media, bomb, "too large: at most 12 megapixels")


def test_store_image_pixels_in_pillow_warning_range_refused(media, no_pixel_decoding):
    # 100 MP, where Pillow itself only warns: still refused, before any pixel is decoded.
    refuse(media, raw_png(10_000, 10_000), "too large: at most 12 megapixels")


def test_store_image_pillow_bomb_warning_refused_even_above_max_pixels(media, monkeypatch):
    # With the module's own limit out of the way, Pillow's warning alone must still refuse it,
    # and the warning filters of the process must be as they were.
    monkeypatch.setattr(uploads, "MAX_PIXELS", 10**12)
    filters_before = list(warnings.filters)

    refuse(media, raw_png(10_000, 10_000), "too large")
    assert warnings.filters == filters_before


def test_store_image_just_over_max_pixels_refused_without_decoding(media, no_pixel_decoding):
    # 12.0 MP and a row more: under Pillow's limits, so only the module's own check stops it.
    refuse(media, raw_png(4_000, 3_001), "too large: at most 12 megapixels")


def test_store_image_the_probes_6320_square_png_refused_without_decoding(media, no_pixel_decoding):
    # 40 MP in a file of a few hundred KB: it once cost a worker 300 MB and a second of CPU.
    refuse(media, raw_png(6_320, 6_320), "too large: at most 12 megapixels")


def test_store_image_exactly_max_pixels_stored_at_most_max_side(media):
    # 12 MP exactly (a blank 1-bit PNG, so it stays small): the limit is inclusive, and the
    # stored copy is scaled to what a post shows, keeping its proportions.
    url = store_image(upload(raw_png(4_000, 3_000)))

    with Image.open(stored_path(media, url)) as img:
        assert img.size == (2_400, 1_800)


def test_store_image_big_jpeg_photo_stored_scaled_down(media):
    url = store_image(upload(image_bytes("JPEG", size=(4_000, 3_000)), name="p.jpg"))

    with Image.open(stored_path(media, url)) as img:
        assert img.size == (2_400, 1_800)


def test_store_image_over_5_mb_refused_before_decoding(media, monkeypatch):
    def open_image(*args, **kwargs):
        raise AssertionError("the file was decoded")

    monkeypatch.setattr(uploads.Image, "open", open_image)
    oversized = image_bytes("PNG").ljust(MAX_UPLOAD_BYTES + 1, b"\x00")

    refuse(media, oversized, "larger than 5 MB")


def test_store_image_exactly_5_mb_not_refused_for_size(media):
    padded = image_bytes("PNG").ljust(MAX_UPLOAD_BYTES, b"\x00")  # junk after IEND is ignored

    assert STORED_URL.match(store_image(upload(padded)))


def test_store_image_empty_file_refused(media):
    refuse(media, b"", "The file is empty")
