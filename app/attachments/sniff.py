"""What an uploaded file really is, found from its content, and the rules that refuse everything else.

The file's name is used for one thing only: a file called `.pdf` must be a PDF. Its type is decided by its bytes:

| type | accepted when |
| --- | --- |
| PDF  | it starts with `%PDF-1.x` or `%PDF-2.x` at byte 0 and ends with `%%EOF` (in its last 1 KiB), and holds no active content (`/JavaScript`, `/JS`, `/Launch`, `/EmbeddedFile`, `/RichMedia`, `/XFA`, `/OpenAction`, `/AA`, also when written with `#xx` escapes; not looked for inside compressed object streams) |
| DOCX | a ZIP archive (`PK\\x03\\x04` at byte 0) holding `[Content_Types].xml`, which names a Word document's main part, and `word/document.xml`; no macros (`vbaProject.bin`, a "macroEnabled" type) |
| ODT  | a ZIP archive whose first entry is `mimetype`, stored uncompressed, reading exactly `application/vnd.oasis.opendocument.text`, with `content.xml`; no macros (`Basic/`, `Scripts/`) |
| PNG  | it starts with the PNG signature and Pillow decodes the whole image |
| JPEG | it starts with `FF D8 FF` and Pillow decodes the whole image |

Polyglots (files that are two things at once, so that another program could read them as something else) are
refused by one rule: **a file must be exactly one thing from its first byte to its last.** So, whatever its type:

1. no HTML or script in its first or last 1 KiB (`<html`, `<head`, `<body`, `<script`, `<iframe`, `<svg`,
   `<object`, `<embed`, `<!doctype`, `<?php`, `javascript:`): a browser sniffing the file could run it;
2. a PDF or an image must not also be a ZIP archive (an end-of-central-directory record anywhere);
3. a file that is not a PDF must not hold `%PDF-` in its first 1 KiB (PDF readers look for it there);
4. a ZIP archive has no entry outside itself (absolute paths, `..`), at most 10,000 entries and at most 500 MB
   uncompressed (a "zip bomb" is refused before anyone unpacks it).

Images are then re-encoded by Pillow from their decoded pixels: EXIF (camera, time, GPS position), XMP, comments
and colour profiles are dropped, the EXIF orientation is applied first, and the stored copy is the re-encoded one.
Documents are stored byte for byte.

Nothing is read into memory whole: the upload is copied to a temporary file as it is counted (a body larger than
the limit stops the copy), and the checks read the temporary file in pieces (an image is decoded, within
UPLOAD_MAX_IMAGE_PIXELS).
"""
import hashlib
import os
import re
import secrets
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.attachments.models import FileType, size_label
from app.errors import DomainError

HEAD = TAIL = 1024
CHUNK = 1024 * 1024
EXTENSIONS = {".pdf": FileType.PDF, ".docx": FileType.DOCX, ".odt": FileType.ODT, ".png": FileType.PNG,
              ".jpg": FileType.JPEG, ".jpeg": FileType.JPEG}
DOCUMENTS = frozenset(FileType)
IMAGES = frozenset({FileType.PNG, FileType.JPEG})
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_UNPACKED = 500 * 1024 * 1024
MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|object|embed|\?php)\b|javascript:",
                    re.IGNORECASE)
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFile|EmbeddedFiles|RichMedia|XFA|OpenAction|AA)"
                        rb"(?![A-Za-z0-9])")
PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _unescape(match):
    return bytes([int(match.group(1), 16)])
SIGNATURES = [(b"%PDF-", FileType.PDF), (b"\x89PNG\r\n\x1a\n", FileType.PNG), (b"\xff\xd8\xff", FileType.JPEG),
              (b"PK\x03\x04", None)]  # None: a ZIP archive, a DOCX or an ODT once its entries are read


class UploadRefused(DomainError):
    """A file that is not accepted: the message says why, in words for the person who chose it."""


@dataclass
class CheckedFile:
    """An accepted file, in a temporary file of the upload folder until it is stored (storage.keep)."""

    type: FileType
    path: Path  # what will be stored: the upload itself, or the re-encoded image
    size: int
    sha256: str  # of what will be stored
    original_sha256: str  # of what was uploaded

    def discard(self):
        _remove(self.path)


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def names(allowed):
    """'a PDF, DOCX, ODT, PNG or JPEG' for the error messages."""
    short = {FileType.PDF: "PDF", FileType.DOCX: "DOCX", FileType.ODT: "ODT", FileType.PNG: "PNG",
             FileType.JPEG: "JPEG"}
    listed = [short[t] for t in FileType if t in allowed]
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"


def temporary_path(folder):
    tmp = Path(folder) / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return tmp / f"{secrets.token_hex(16)}.part"


def _copy_counted(stream, path, max_bytes, field):
    """Copy the upload to `path`, stopping (and refusing) as soon as it passes max_bytes. (size, SHA-256)."""
    digest, size = hashlib.sha256(), 0
    with open(path, "wb") as out:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise UploadRefused(f"The selected file must be smaller than {size_label(max_bytes)}", field=field)
            digest.update(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def _ends(path, size):
    with open(path, "rb") as source:
        head = source.read(HEAD)
        source.seek(max(0, size - TAIL))
        tail = source.read(TAIL)
    return head, tail


def _signature_type(head):
    for signature, file_type in SIGNATURES:
        if head.startswith(signature):
            return file_type or "zip"
    return None


def check_upload(upload, *, allowed, folder, max_bytes, max_pixels=40_000_000, field="file"):
    """The CheckedFile for a werkzeug FileStorage, or UploadRefused saying why not (nothing is left on disk)."""
    if upload is None or not (upload.filename or "").strip():
        raise UploadRefused("Select a file", field=field)
    extension = os.path.splitext(upload.filename.strip().lower())[1]
    claimed = EXTENSIONS.get(extension)
    if claimed is None or claimed not in allowed:
        raise UploadRefused(f"The selected file must be a {names(allowed)}", field=field)
    path = temporary_path(folder)
    try:
        size, original_sha256 = _copy_counted(upload.stream, path, max_bytes, field)
        if size == 0:
            raise UploadRefused("The selected file is empty", field=field)
        found = _check_content(path, size, claimed, field, max_pixels)
        if found.is_image:
            stored = _reencode(path, found, folder, max_pixels, field)
            _remove(path)
            path = stored
            size = path.stat().st_size
            sha256 = _sha256(path)
        else:
            sha256 = original_sha256
        return CheckedFile(type=found, path=path, size=size, sha256=sha256, original_sha256=original_sha256)
    except BaseException:
        _remove(path)
        raise


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_content(path, size, claimed, field, max_pixels):
    head, tail = _ends(path, size)
    what = claimed.label
    if MARKUP.search(head) or MARKUP.search(tail):
        raise UploadRefused(f"The selected file contains web page or script code, so it cannot be accepted as a "
                            f"{what}", field=field)
    found = _signature_type(head)
    if found is None:
        raise UploadRefused(f"The selected file is not a real {what}: its content is something else. "
                            f"Choose the right file, or save it as a {what} first", field=field)
    if found == "zip":
        found = _zip_type(path, field, claimed)
    if found != claimed:
        raise UploadRefused(f"The selected file is called “{claimed.extension}” but it is a {found.label}. "
                            f"Choose the right file, or rename it to end in {found.extension}", field=field)
    if found is not FileType.PDF and b"%PDF-" in head:
        raise UploadRefused(f"The selected file is both a {what} and a PDF, so it cannot be accepted", field=field)
    if found in (FileType.PDF, FileType.PNG, FileType.JPEG) and zipfile.is_zipfile(path):
        raise UploadRefused(f"The selected file is both a {what} and a ZIP archive, so it cannot be accepted",
                            field=field)
    if found is FileType.PDF:
        _check_pdf(path, head, tail, field)
    elif found.is_image:
        _open_image(path, found, field, max_pixels).close()
    return found


def _check_pdf(path, head, tail, field):
    if not PDF_HEADER.match(head):
        raise UploadRefused("The selected file is not a real PDF: its header is damaged", field=field)
    if b"%%EOF" not in tail:
        raise UploadRefused("The selected file is not a complete PDF: it may have been cut short. "
                            "Save it as a PDF again and choose the new file", field=field)
    overlap = b""
    with open(path, "rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            window = overlap + chunk
            # A name may be written with #xx escapes (/J#61vaScript is /JavaScript): read it as a PDF reader would.
            if PDF_ACTIVE.search(window) or PDF_ACTIVE.search(PDF_NAME_ESCAPE.sub(_unescape, window)):
                raise UploadRefused("The selected PDF contains scripts, actions or embedded files, so it cannot be "
                                    "accepted. Save it again without them (for example, “Print to PDF”)",
                                    field=field)
            overlap = window[-32:]


def _zip_type(path, field, claimed):
    damaged = UploadRefused(f"The selected file is not a real {claimed.label}: it may be damaged", field=field)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_ZIP_UNPACKED:
                raise UploadRefused(f"The selected file is too large once unpacked to be a {claimed.label}",
                                    field=field)
            names = [entry.filename for entry in entries]
            if any(name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") for name in names):
                raise damaged
            if entries and entries[0].filename == "mimetype":
                first = entries[0]
                if first.compress_type != zipfile.ZIP_STORED or first.file_size > 100 \
                        or archive.read(first) != ODT_MIMETYPE or "content.xml" not in names:
                    raise damaged
                if any(name.startswith(("Basic/", "Scripts/")) for name in names):
                    raise UploadRefused("The selected document contains macros, so it cannot be accepted. "
                                        "Save it again without them", field=field)
                return FileType.ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                types = archive.getinfo("[Content_Types].xml")
                if types.file_size > 1024 * 1024:
                    raise damaged
                declared = archive.read(types)
                if any(name.lower().endswith("vbaproject.bin") for name in names) \
                        or b"macroenabled" in declared.lower():
                    raise UploadRefused("The selected document contains macros, so it cannot be accepted. "
                                        "Save it as a Word document (.docx) without macros", field=field)
                if DOCX_MAIN not in declared:
                    raise damaged
                return FileType.DOCX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, KeyError,
            RuntimeError):
        raise damaged from None
    raise UploadRefused(f"The selected file is not a real {claimed.label}: it is another kind of ZIP archive",
                        field=field)


def _open_image(path, file_type, field, max_pixels):
    """The image decoded whole (so a truncated or corrupt one is refused), within max_pixels."""
    from PIL import Image, UnidentifiedImageError

    refused = UploadRefused(f"The selected file is not a real {file_type.label}: it may be damaged", field=field)
    fmt = "PNG" if file_type is FileType.PNG else "JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[fmt]) as probe:
                if probe.width * probe.height > max_pixels:
                    raise UploadRefused("The selected image is too large: it must be at most "
                                        f"{max_pixels // 1_000_000} million pixels", field=field)
                probe.verify()
            image = Image.open(path, formats=[fmt])
            image.load()
            return image
    except UploadRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError, EOFError, MemoryError):
        raise refused from None


def _reencode(path, file_type, folder, max_pixels, field):
    """The image re-encoded from its pixels into a new temporary file: no EXIF (GPS), XMP, comments or profiles."""
    from PIL import ImageOps

    out = temporary_path(folder)
    try:
        with _open_image(path, file_type, field, max_pixels) as image:
            upright = ImageOps.exif_transpose(image)  # a copy, turned as the camera meant
            transparency = upright.info.get("transparency")
            upright.info = {}
            if file_type is FileType.JPEG:
                if upright.mode not in ("RGB", "L"):
                    upright = upright.convert("RGB")
                upright.save(out, "JPEG", quality=90, optimize=True)
            else:
                params = {"transparency": transparency} if transparency is not None else {}
                upright.save(out, "PNG", **params)
        return out
    except BaseException:
        _remove(out)
        raise
