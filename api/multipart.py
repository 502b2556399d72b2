"""Streaming multipart parsing for uploads: bytes go to the stager as they arrive.

FastAPI's ``UploadFile`` would spool the whole body before the route runs; here the
``Content-Length`` is checked first, then every chunk of the stream is fed to
``python_multipart`` and each file part is written (and counted) by
:class:`api.uploads.UploadStager`, which stops at the first byte over the limit.
"""

from __future__ import annotations

from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from api.uploads import MAX_FIELD_BYTES, MAX_FILES, UploadStager
from kms.core.config import Settings
from kms.core.errors import InputError, KMSError, TooLarge, UnsupportedType
from kms.core.schemas import UploadForm

OVERHEAD = 1 << 20  # multipart headers and form fields


def request_limit(settings: Settings) -> int:
    return settings.upload_max_bytes * MAX_FILES + OVERHEAD


class _Parts:
    """python_multipart callbacks → stager calls."""

    def __init__(self, stager: UploadStager) -> None:
        self.stager = stager
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.field: str | None = None
        self.is_file = False
        self.value = bytearray()

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self.disposition, self.field, self.is_file = b"", None, False
        self.value = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        name = options.get(b"name")
        if name is None:
            raise InputError("a multipart part has no name")
        self.field = name.decode("utf-8", errors="replace")
        filename = options.get(b"filename")
        if filename is not None:
            self.is_file = True
            self.stager.begin_file(filename.decode("utf-8", errors="replace"))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.is_file:
            self.stager.write(data[start:end])
            return
        self.value += data[start:end]
        if len(self.value) > MAX_FIELD_BYTES:
            raise InputError("a form field is too large", {"field": self.field})

    def on_part_end(self) -> None:
        if self.is_file:
            self.stager.end_file()
        elif self.field is not None:
            self.stager.add_field(self.field, bytes(self.value))


async def receive_upload(request: Request, settings: Settings) -> UploadStager:
    """Stage the files of a multipart request; on any error nothing stays on disk."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data":
        raise UnsupportedType("send the files as multipart/form-data", {"field": "files"})
    boundary = params.get(b"boundary")
    if not boundary:
        raise InputError("the multipart boundary is missing")
    limit = request_limit(settings)
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        raise TooLarge(f"the upload is over {limit} bytes", {"limit": limit})
    stager = UploadStager(settings)
    parts = _Parts(stager)
    parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise TooLarge(f"the upload is over {limit} bytes", {"limit": limit})
            if chunk:
                await run_in_threadpool(parser.write, chunk)
        parser.finalize()
        if stager.in_file:
            raise InputError("the multipart body ended inside a file")
    except KMSError:
        stager.discard()
        raise
    except (FormParserError, ValueError) as exc:
        stager.discard()
        raise InputError("the multipart body is malformed") from exc
    except ClientDisconnect as exc:
        stager.discard()
        raise InputError("the upload was interrupted") from exc
    except BaseException:
        stager.discard()
        raise
    return stager


def upload_form(fields: dict[str, list[str]]) -> UploadForm:
    """The form fields of an upload: the last value of a single field; comma-separated lists."""

    def one(name: str) -> str | None:
        values = [v.strip() for v in fields.get(name, []) if v.strip()]
        return values[-1] if values else None

    def many(name: str) -> list[str]:
        return [p.strip() for v in fields.get(name, []) for p in v.split(",") if p.strip()]

    return UploadForm(
        kind=one("kind"),
        status=one("status"),
        owner=one("owner"),
        teams=many("teams"),
        stages=many("stages"),
        review_by=one("review_by"),
    )
