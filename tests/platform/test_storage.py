"""The file store: a folder under var/ by default, any S3-compatible store by setting."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kieubao.platform import storage
from kieubao.platform.settings import Settings
from kieubao.platform.smtp_sink import free_port


def test_files_kept_on_disk_come_back_as_they_were(tmp_path: Path) -> None:
    store = storage.storage(Settings(var_dir=tmp_path))
    kept = storage.put(b"scan", "application/pdf", prefix="cases/BH-2026-000001", store=store)
    assert kept.key.startswith("cases/BH-2026-000001/") and kept.size == 4
    assert store.get(kept.key) == b"scan"
    assert list((tmp_path / "attachments").rglob("*.part")) == []
    store.delete(kept.key)
    with pytest.raises(FileNotFoundError):
        store.get(kept.key)


def test_an_unknown_store_is_a_setup_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="unknown attachment storage"):
        storage.storage(Settings(var_dir=tmp_path, attachments_storage="ftp"))
    with pytest.raises(RuntimeError, match="S3_BUCKET"):
        storage.storage(Settings(var_dir=tmp_path, attachments_storage="s3"))


@pytest.fixture
def s3_server() -> Iterator[str]:
    """moto's S3 in server mode: the same HTTP API a MinIO or AWS bucket answers."""
    server_module = pytest.importorskip("moto.server")
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_settings(endpoint: str, tmp_path: Path) -> Settings:
    return Settings(
        var_dir=tmp_path,
        attachments_storage="s3",
        s3_bucket="kieubao-attachments",
        s3_endpoint_url=endpoint,
        s3_access_key_id="testing",
        s3_secret_access_key="testing",  # moto accepts any key
    )


def test_files_kept_in_s3_come_back_as_they_were(s3_server: str, tmp_path: Path) -> None:
    settings = s3_settings(s3_server, tmp_path)
    store: Any = storage.storage(settings)
    store.client.create_bucket(Bucket="kieubao-attachments")
    kept = storage.put(b"\x89PNG photo", "image/png", prefix="cases/BH-2026-000002", store=store)
    assert store.get(kept.key) == b"\x89PNG photo"
    head = store.client.head_object(Bucket="kieubao-attachments", Key=kept.key)
    assert head["ContentType"] == "image/png"
    store.delete(kept.key)
    assert store.client.list_objects_v2(Bucket="kieubao-attachments")["KeyCount"] == 0
    assert not (tmp_path / "attachments").exists()
