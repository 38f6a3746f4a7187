"""A local stand-in for the providers' file servers, answering each provider's documented
way of handing out a file: Telegram's getFile then /file/bot<token>/<path>, the Graph API's
media URL then the file with the same token, Twilio's media URL redirecting to its file
host, and Zalo's plain file addresses."""

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.outbox.providers import Fake, Telegram, Twilio, WhatsApp

Answer = tuple[int, bytes, dict[str, str]]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 20 + b"%%EOF\n"


@dataclass
class MediaHost(Fake):
    """``files`` by id (Telegram file id, WhatsApp media id, Twilio media sid, Zalo path):
    (bytes, type). ``failing`` answers that many downloads with a 503 first."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    failing: int = 0
    base: str = ""
    downloads: list[str] = field(default_factory=list)

    def answer(
        self, path: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        return 405, {}, {}

    def get(self, path: str, headers: Any) -> Answer:
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        route = parts.path
        if route == f"/bot{Telegram.token}/getFile":
            return self._telegram_file(query.get("file_id", ""))
        if route.startswith(f"/file/bot{Telegram.token}/"):
            return self._download(route.rsplit("/", 1)[-1], "application/octet-stream")
        if route.startswith("/whatsapp_business/attachments/"):
            if headers.get("Authorization") != f"Bearer {WhatsApp.token}":
                return 401, b"", {}
            return self._download(query.get("mid", ""))
        if route.startswith(f"/2010-04-01/Accounts/{Twilio.sid}/Messages/"):
            expected = base64.b64encode(f"{Twilio.sid}:{Twilio.token}".encode()).decode()
            if headers.get("Authorization") != f"Basic {expected}":
                return 401, b"", {}
            return 307, b"", {"Location": f"{self.base}/twiliocdn/{route.rsplit('/', 1)[-1]}"}
        if route.startswith("/twiliocdn/"):
            return self._download(route.rsplit("/", 1)[-1])
        if route.startswith("/zalo/"):
            return self._download(route.rsplit("/", 1)[-1])
        if headers.get("Authorization") == f"Bearer {WhatsApp.token}" and route[1:] in self.files:
            data, kind = self.files[route[1:]]
            meta = {
                "messaging_product": "whatsapp",
                "url": f"{self.base}/whatsapp_business/attachments/?mid={route[1:]}",
                "mime_type": kind,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": route[1:],
            }
            return 200, json.dumps(meta).encode(), {"Content-Type": "application/json"}
        return 404, b"", {}

    def _telegram_file(self, file_id: str) -> Answer:
        if file_id not in self.files:
            refusal = {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: invalid file_id",
            }
            return 400, json.dumps(refusal).encode(), {"Content-Type": "application/json"}
        found = {"file_id": file_id, "file_size": len(self.files[file_id][0])}
        found["file_path"] = f"photos/{file_id}"
        answer = {"ok": True, "result": found}
        return 200, json.dumps(answer).encode(), {"Content-Type": "application/json"}

    def _download(self, key: str, served: str | None = None) -> Answer:
        self.downloads.append(key)
        if self.failing > 0:
            self.failing -= 1
            return 503, b"", {}
        if key not in self.files:
            return 404, b"", {}
        data, kind = self.files[key]
        return 200, data, {"Content-Type": served or kind}
