"""Images uploaded into journal posts: checked, decoded and re-encoded before anything is stored.

Nothing about an upload is trusted: not its name, not its content type, not its metadata. Only
pixels that Pillow decoded completely are kept, written afresh as PNG, JPEG or WebP under a random
name, so a stored file can never be a script, an SVG or HTML in disguise, and carries no EXIF
(GPS position, camera serial), comments, text chunks, XMP or ICC profile of the author's.
Animated images (APNG, animated WebP) keep only their first frame: a post shows a still picture.
"""

import struct
import uuid
import warnings
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageOps

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A post's column is under 1,000 px wide: 12 MP (a phone photo) is already more than it needs,
# and keeps a worker's decoded pixels, RGBA and one converted copy, under about 100 MB.
MAX_PIXELS = 12_000_000
# Stored images are at most this wide or tall: sharp on a high-density screen, and light.
MAX_SIDE = 2400
# Pillow format name -> extension of the stored file.
ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
# What the encoders get: nothing but the pixels, so no metadata can ride along.
SAVE_OPTIONS = {"PNG": {}, "JPEG": {"quality": 85}, "WEBP": {"quality": 85}}

EMPTY = "The file is empty. Choose an image and upload it again."
TOO_BIG = "The image is larger than 5 MB. Resize or compress it and try again."
NOT_AN_IMAGE = (
    "This file is not a PNG, JPEG or WebP image. Export it as one of those and upload it again."
)
TOO_MANY_PIXELS = (
    f"The image is too large: at most {MAX_PIXELS // 1_000_000} megapixels. "
    "Resize it and try again."
)
DAMAGED = (
    "The image is damaged or incomplete. Open it in an image editor, save it again "
    "and upload the new file."
)
# What Pillow's decoders raise on broken data (a truncated file is an OSError).
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)


def store_image(uploaded_file) -> str:
    """Check an uploaded image, store a clean re-encoded copy and return its public URL.

    Raises ValidationError, with a message saying what to do, and stores nothing if the file is
    empty, over MAX_UPLOAD_BYTES or MAX_PIXELS, not a PNG/JPEG/WebP, or damaged.
    """
    # The declared size first, so an oversized upload is refused before it is read or decoded.
    if uploaded_file.size is not None and uploaded_file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(TOO_BIG, code="too_big")
    uploaded_file.seek(0)
    # Never read more than one byte past the limit, whatever size the file claimed.
    data = uploaded_file.read(MAX_UPLOAD_BYTES + 1)
    if not data:
        raise ValidationError(EMPTY, code="empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(TOO_BIG, code="too_big")

    fmt, clean = _reencode(data)
    name = f"uploads/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ALLOWED_FORMATS[fmt]}"
    return default_storage.url(default_storage.save(name, ContentFile(clean)))


def _reencode(data: bytes) -> tuple[str, bytes]:
    """Decode the bytes fully and return (format, the pixels written afresh in that format)."""
    # Pillow only warns between MAX_IMAGE_PIXELS and twice that; make it a refusal here without
    # touching the process-wide warning filters or Pillow's limits.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # Only these decoders are tried: the bytes decide the format, never the name.
            img = Image.open(BytesIO(data), formats=list(ALLOWED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from None
        except DECODE_ERRORS:
            raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
        with img:
            if img.format not in ALLOWED_FORMATS:
                raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
            # The header's size, checked before a single pixel is allocated or decoded.
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
            try:
                if img.format == "JPEG":
                    # libjpeg decodes straight to a smaller scale (1/2, 1/4, 1/8) when the
                    # stored copy will be smaller anyway: less memory and time for big photos.
                    img.draft("RGB", (MAX_SIDE, MAX_SIDE))
                # Raises on truncated data as long as ImageFile.LOAD_TRUNCATED_IMAGES stays
                # False (Pillow's default); this module never sets it.
                img.load()
                clean = _clean_pixels(img)
                out = BytesIO()
                clean.save(out, format=img.format, **SAVE_OPTIONS[img.format])
            except DECODE_ERRORS:
                raise ValidationError(DAMAGED, code="damaged") from None
            return img.format, out.getvalue()


def _clean_pixels(img: Image.Image) -> Image.Image:
    """The first frame, turned upright, in RGB or RGBA, with every piece of metadata dropped."""
    # Apply the EXIF orientation, since the EXIF that carried it is about to be dropped.
    upright = ImageOps.exif_transpose(img)
    has_alpha = upright.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in img.info
    mode = "RGBA" if has_alpha and img.format != "JPEG" else "RGB"
    clean = upright.convert(mode) if upright.mode != mode else upright
    if max(clean.size) > MAX_SIDE:
        clean.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # Some encoders fall back on info (PNG's ICC profile, JPEG's comment): leave them nothing.
    clean.info = {}
    return clean
