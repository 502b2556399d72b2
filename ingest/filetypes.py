"""Tell what a file is from its bytes, not its name.

The extension is only a hint, used where bytes cannot decide: a text file named ``.md`` is
Markdown, ``.csv`` / ``.tsv`` is CSV and ``.yaml`` / ``.yml`` is YAML. Everything else is decided
by content, so a ``.docx`` renamed ``.pdf`` is still parsed as a Word document and a program
renamed ``.docx`` is refused.

Order of checks: binary signatures (``%PDF``, a zip holding ``word/``, ``ppt/`` or ``xl/``, the
OLE2 header of legacy and encrypted Office files, known image / archive / program magic), then
text sniffing on the decoded head (HTML, RFC 822 e-mail, JSON, then the extension hints), and
finally plain text. Only the first :data:`SNIFF_BYTES` are read, except for zips whose member list
is at the end of the file.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from kms.core.errors import ParseError, UnsupportedType
from kms.core.text.structured import load_json

SNIFF_BYTES = 64 * 1024


class FileKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    PPTX = "pptx"
    XLSX = "xlsx"
    HTML = "html"
    MD = "md"
    TXT = "txt"
    EML = "eml"
    JSON = "json"
    YAML = "yaml"
    CSV = "csv"
    LEGACY_OFFICE = "legacy_office"  # .doc / .ppt / .xls (OLE2), not parsed
    ENCRYPTED_OFFICE = "encrypted_office"  # password-protected .docx / .pptx / .xlsx (OLE2)


MIME_TYPES: dict[FileKind, str] = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.HTML: "text/html",
    FileKind.MD: "text/markdown",
    FileKind.TXT: "text/plain",
    FileKind.EML: "message/rfc822",
    FileKind.JSON: "application/json",
    FileKind.YAML: "application/yaml",
    FileKind.CSV: "text/csv",
    FileKind.LEGACY_OFFICE: "application/x-ole-storage",
    FileKind.ENCRYPTED_OFFICE: "application/x-ole-storage",
}


@dataclass(frozen=True)
class DetectedType:
    kind: FileKind
    mime: str
    encoding: str | None = None  # for text kinds: the codec that decoded the head


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OOXML_PARTS = (("word/", FileKind.DOCX), ("ppt/", FileKind.PPTX), ("xl/", FileKind.XLSX))
_KNOWN_BINARIES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"RIFF", "RIFF media (WebP, WAV, AVI)"),
    (b"MZ", "Windows program"),
    (b"\x7fELF", "ELF program"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!", "RAR archive"),
    (b"{\\rtf", "RTF document"),
)
_EMAIL_HEADERS = {"from", "to", "cc", "subject", "date", "mime-version", "message-id", "received"}
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*):[ \t]")
_HTML_START = re.compile(
    r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b"
)
_EAST_ASIAN_CODECS = ("big5", "cp950", "euc", "shift_jis", "cp932", "cp949", "iso2022")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_TEXT_HINTS = {
    ".md": FileKind.MD,
    ".markdown": FileKind.MD,
    ".csv": FileKind.CSV,
    ".tsv": FileKind.CSV,
    ".yaml": FileKind.YAML,
    ".yml": FileKind.YAML,
    ".json": FileKind.JSON,
    ".jsonl": FileKind.JSON,
    ".ndjson": FileKind.JSON,
}


def detect_type(path: Path) -> DetectedType:
    """Detect ``path``'s kind from its content.

    Raises ``UnsupportedType`` for binaries we do not read and ``ParseError`` for a damaged zip.
    """
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    kind = _binary_kind(path, head)
    if kind is not None:
        return DetectedType(kind, MIME_TYPES[kind])
    decoded = _decode_text(head)
    if decoded is None:
        raise UnsupportedType(
            f"{path.name}: unsupported file type (binary content)", detail={"file": path.name}
        )
    text, encoding = decoded
    kind = _text_kind(text, path.suffix.lower(), complete=len(head) < SNIFF_BYTES)
    return DetectedType(kind, MIME_TYPES[kind], encoding)


def require_document(name: str, detected: DetectedType) -> None:
    """Refuse, with the reason, a kind that is not parsed as a document."""
    kind = detected.kind
    if kind is FileKind.ENCRYPTED_OFFICE:
        message = f"{name}: encrypted (password-protected) Office file"
        raise ParseError(message, detail={"file": name, "reason": "encrypted"})
    if kind is FileKind.LEGACY_OFFICE:
        raise UnsupportedType(
            f"{name}: legacy Office format (.doc/.ppt/.xls); save it as .docx/.pptx/.xlsx",
            detail={"file": name, "kind": kind.value},
        )
    if kind in (FileKind.JSON, FileKind.YAML, FileKind.CSV):
        raise UnsupportedType(
            f"{name}: {kind.value} is structured data, not a document; ingest it as "
            "win/loss notes or a problem-solution map",
            detail={"file": name, "kind": kind.value},
        )


def _binary_kind(path: Path, head: bytes) -> FileKind | None:
    if head.lstrip()[:5] == b"%PDF-":
        return FileKind.PDF
    if head.startswith(_ZIP_MAGIC):
        return _zip_kind(path)
    if head.startswith(_OLE2_MAGIC):
        return _ole2_kind(path)
    for magic, label in _KNOWN_BINARIES:
        if head.startswith(magic):
            raise UnsupportedType(
                f"{path.name}: unsupported file type ({label})", detail={"file": path.name}
            )
    return None


def _zip_kind(path: Path) -> FileKind:
    """OOXML files are zips; the top folder of their parts says which application wrote them."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ParseError(
            f"{path.name}: corrupt file (damaged zip container: {exc})",
            detail={"file": path.name, "reason": "corrupt"},
        ) from exc
    if "[Content_Types].xml" in names:
        for prefix, kind in _OOXML_PARTS:
            if any(name.startswith(prefix) for name in names):
                return kind
    raise UnsupportedType(
        f"{path.name}: unsupported file type (zip archive that is not a Word, PowerPoint or "
        "Excel document)",
        detail={"file": path.name},
    )


def _ole2_kind(path: Path) -> FileKind:
    """Password-protected OOXML files are OLE2 containers holding an ``EncryptedPackage``.

    Reads the whole file: callers check the size limit first.
    """
    data = path.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data:
        return FileKind.ENCRYPTED_OFFICE
    return FileKind.LEGACY_OFFICE


def _decode_text(head: bytes) -> tuple[str, str] | None:
    """Decode a head that looks like text; ``None`` for binary content.

    UTF-8 (with or without BOM) and UTF-16 with a BOM first; otherwise a guess that tells
    GB18030 or Big5 Chinese from Windows-1252 English (:func:`_guess_encoding`). The head may end
    mid-character, so up to 3 trailing bytes may be dropped. Text has almost no control
    characters; binary content has many.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding: str | None = "utf-16"
    elif b"\x00" in head:
        return None
    else:
        encoding = "utf-8-sig" if _decodes(head, "utf-8") else _guess_encoding(head)
    if encoding is None:
        return None
    for cut in range(4):
        try:
            text = head[: len(head) - cut].decode(encoding)
        except UnicodeDecodeError:
            continue
        return (text, encoding) if len(_CONTROL_CHARS.findall(text)) <= len(text) // 100 else None
    return None


def _decodes(head: bytes, encoding: str) -> bool:
    return any(_try_decode(head[: len(head) - cut], encoding) for cut in range(4))


def _try_decode(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _guess_encoding(head: bytes) -> str | None:
    """charset-normalizer for East Asian codecs (GB18030 for any GB guess); for the rest,
    Windows-1252 when it decodes: on short Western text the guesser wavers between
    look-alike Latin codecs (``mac_latin2``, ``cp1250``), while cp1252 is the common case."""
    import charset_normalizer

    best = charset_normalizer.from_bytes(head).best()
    guess = best.encoding if best is not None else None
    if guess is not None and guess.startswith(("gb", "hz")):
        return "gb18030"
    if guess is not None and guess.startswith(_EAST_ASIAN_CODECS):
        return guess
    return "cp1252" if _decodes(head, "cp1252") else guess


def _text_kind(text: str, suffix: str, complete: bool) -> FileKind:
    stripped = text.lstrip("\ufeff \t\r\n")
    if _HTML_START.match(stripped[:2048].lower()):
        return FileKind.HTML
    if suffix in (".html", ".htm") and stripped.startswith("<"):  # a fragment, no <html>
        return FileKind.HTML
    if _looks_like_email(stripped):
        return FileKind.EML
    hinted = _TEXT_HINTS.get(suffix)
    if hinted is FileKind.JSON or (hinted is None and _looks_like_json(stripped, complete)):
        return FileKind.JSON
    if hinted is not None:
        return hinted
    return FileKind.TXT


def _looks_like_email(text: str) -> bool:
    """RFC 822: header lines up to the first blank line, among them two well-known ones."""
    seen: set[str] = set()
    for line in text.splitlines()[:60]:
        if not line.strip():
            break
        if line[0] in " \t":  # folded header continuation
            continue
        match = _HEADER_LINE.match(line)
        if match is None:
            return False
        seen.add(match.group(1).lower())
    return len(seen & _EMAIL_HEADERS) >= 2 and bool(seen & {"from", "subject"})


def _looks_like_json(text: str, complete: bool) -> bool:
    if not text.startswith(("{", "[")):
        return False
    if complete:
        try:
            load_json(text)  # bounded depth: a StructureError is a ValueError
        except ValueError:
            return _first_line_is_json(text)
        return True
    return _first_line_is_json(text)


def _first_line_is_json(text: str) -> bool:
    """JSON Lines: the first line is a complete JSON object."""
    first = text.split("\n", 1)[0]
    try:
        return isinstance(load_json(first), dict)
    except ValueError:
        return False
