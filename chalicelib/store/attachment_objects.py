"""Attachment bytes in S3: presigned uploads and downloads, and checking what arrived.

Keys are ``<tenant>/tickets/<ticket id>/<attachment id>``: the tenant prefix is what the
deployed roles' S3 permissions are scoped to (``infra/access.py``), and no user-supplied text
(file names) ever becomes part of a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.config import get_settings
from chalicelib.store.clients import aws_client


def object_key(tenant_id: str, ticket_id: str, attachment_id: str) -> str:
    """The S3 key of an attachment."""
    return f"{tenant_id}/tickets/{ticket_id}/{attachment_id}"


def presigned_upload(key: str, *, content_type: str, max_bytes: int) -> dict[str, Any]:
    """A presigned POST: S3 itself refuses another content type or a larger body."""
    settings = get_settings()
    post: dict[str, Any] = aws_client("s3").generate_presigned_post(
        settings.attachments_bucket,
        key,
        Fields={"Content-Type": content_type},
        Conditions=[["content-length-range", 1, max_bytes], {"Content-Type": content_type}],
        ExpiresIn=settings.attachment_url_seconds,
    )
    return post


def presigned_download(key: str, *, filename: str, content_type: str) -> str:
    """A presigned GET that downloads under the original file name."""
    settings = get_settings()
    safe = filename.replace('"', "'")
    url: str = aws_client("s3").generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.attachments_bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{safe}"',
            "ResponseContentType": content_type,
        },
        ExpiresIn=settings.attachment_url_seconds,
    )
    return url


@dataclass(frozen=True)
class StoredObject:
    """What S3 holds under a key."""

    size: int
    content_type: str | None


def head(key: str) -> StoredObject | None:
    """The object's size and type, or None when nothing was uploaded."""
    from botocore.exceptions import ClientError

    try:
        found = aws_client("s3").head_object(Bucket=get_settings().attachments_bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return StoredObject(size=int(found["ContentLength"]), content_type=found.get("ContentType"))


def delete(key: str) -> None:
    """Remove an object (an upload refused after the fact)."""
    aws_client("s3").delete_object(Bucket=get_settings().attachments_bucket, Key=key)
