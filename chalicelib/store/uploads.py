"""Customer uploads in S3: presigned PUT URLs under the tenant's own key prefix.

The object key is ``<tenant>/<area>/<owner id>/<upload id>-<file name>``: the tenant prefix is
what the tenant-scoped IAM policy allows (``store/tenant_credentials.py``), and the signed URL
fixes the content type and length, so a client cannot upload something else than it declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.config import get_settings
from chalicelib.domain.ids import new_id
from chalicelib.store.clients import aws_client

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class PresignedUpload:
    """Where and how to upload, and the reference that names the object afterwards."""

    reference: str
    url: str
    headers: dict[str, str]
    expires_in: int


def object_key(tenant_id: str, area: str, owner_id: str, filename: str) -> str:
    """A fresh object key under the tenant's prefix, with a file-system-safe name."""
    safe = _UNSAFE.sub("_", filename).strip("._")[:100] or "file"
    return f"{tenant_id}/{area}/{owner_id}/{new_id()}-{safe}"


def presigned_upload(
    tenant_id: str, area: str, owner_id: str, *, filename: str, content_type: str, size: int
) -> PresignedUpload:
    """A presigned PUT for one object of exactly ``size`` bytes of ``content_type``."""
    settings = get_settings()
    key = object_key(tenant_id, area, owner_id, filename)
    url = aws_client("s3").generate_presigned_url(
        "put_object",
        Params={
            "Bucket": settings.uploads_bucket,
            "Key": key,
            "ContentType": content_type,
            "ContentLength": size,
        },
        ExpiresIn=settings.upload_url_seconds,
    )
    return PresignedUpload(
        reference=key,
        url=url,
        headers={"Content-Type": content_type, "Content-Length": str(size)},
        expires_in=settings.upload_url_seconds,
    )


def owns_reference(tenant_id: str, area: str, reference: str) -> bool:
    """Whether an upload reference names an object of this tenant and area."""
    return reference.startswith(f"{tenant_id}/{area}/") and ".." not in reference
