"""Where files kept with records live: a folder under var/ by default, or any S3-compatible
object store (MinIO, Ceph, AWS) when ``KIEUBAO_ATTACHMENTS_STORAGE=s3``.

Keys are made here, never from a sender's file name, so no name can reach outside the store.
"""

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kieubao.platform.db import utcnow
from kieubao.platform.settings import Settings, get_settings


@dataclass(frozen=True)
class Stored:
    key: str
    size: int
    sha256: str


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


class DiskStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)  # a reader never sees half a file

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        return bytes(body.read())

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)


def storage(settings: Settings | None = None) -> Storage:
    settings = settings or get_settings()
    if settings.attachments_storage == "s3":
        if not settings.s3_bucket:
            raise RuntimeError("KIEUBAO_S3_BUCKET is required with s3 attachment storage")
        import boto3  # only deployments that store in S3 install it (the "s3" extra)

        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key,
        )
        return S3Storage(client, settings.s3_bucket)
    if settings.attachments_storage != "disk":
        raise RuntimeError(f"unknown attachment storage {settings.attachments_storage!r}")
    return DiskStorage(settings.var_dir / "attachments")


def put(data: bytes, content_type: str, *, prefix: str, store: Storage | None = None) -> Stored:
    """Keep ``data`` under a new key of its own and say where."""
    now = utcnow()
    key = f"{prefix}/{now:%Y/%m}/{uuid.uuid4().hex}"
    (store or storage()).put(key, data, content_type)
    return Stored(key, len(data), hashlib.sha256(data).hexdigest())
