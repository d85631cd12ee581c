"""Browser uploads without JavaScript: S3 presigned POST forms and the check after the upload.

A plain HTML form cannot set headers, so it cannot use a presigned PUT. A presigned POST carries
its policy in hidden form fields: the exact object key (under the tenant's prefix, in the
subject's own folder), a size range and the URL S3 redirects the browser to afterwards
(``success_action_redirect``). A form cannot declare the file's type either, so the type is
checked after the upload from the file's first bytes (:func:`inspect_upload`), and anything
else is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.config import get_settings
from chalicelib.store.clients import aws_client
from chalicelib.store.uploads import object_key

# File signatures of the accepted receipt formats.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass(frozen=True)
class UploadPost:
    """Where the form posts and the hidden fields it must carry (the file field comes last)."""

    url: str
    fields: dict[str, str]
    key: str


@dataclass(frozen=True)
class UploadedObject:
    """What an upload turned out to be: its size and the type its first bytes show."""

    key: str
    size: int
    content_type: str | None  # None: not one of the accepted formats


def presigned_post(
    tenant_id: str, area: str, owner_id: str, *, name: str, max_bytes: int, redirect: str
) -> UploadPost:
    """A presigned POST of one object under ``<tenant>/<area>/<owner>/``, at most ``max_bytes``,
    redirecting the browser to ``redirect`` (S3 appends ``bucket``, ``key`` and ``etag``)."""
    settings = get_settings()
    key = object_key(tenant_id, area, owner_id, name)
    post: dict[str, Any] = aws_client("s3").generate_presigned_post(
        Bucket=settings.uploads_bucket,
        Key=key,
        Fields={"success_action_redirect": redirect},
        Conditions=[
            ["content-length-range", 1, max_bytes],
            {"success_action_redirect": redirect},
        ],
        ExpiresIn=settings.upload_url_seconds,
    )
    return UploadPost(url=str(post["url"]), fields=dict(post["fields"]), key=key)


def inspect_upload(key: str) -> UploadedObject | None:
    """The uploaded object's size and sniffed type, or None when there is no such object."""
    s3 = aws_client("s3")
    bucket = get_settings().uploads_bucket
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    size = int(head.get("ContentLength", 0))
    first = b""
    if size:
        body = s3.get_object(Bucket=bucket, Key=key, Range="bytes=0-15")["Body"]
        first = body.read()
    kind = next((name for magic, name in _SIGNATURES if first.startswith(magic)), None)
    return UploadedObject(key=key, size=size, content_type=kind)


def delete_upload(key: str) -> None:
    """Remove an upload that was refused (wrong type, too large)."""
    aws_client("s3").delete_object(Bucket=get_settings().uploads_bucket, Key=key)
