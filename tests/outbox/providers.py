"""Local stand-ins for the messaging providers, each speaking its provider's documented
request and answer shapes and checking its credential the provider's way."""

import base64
import json
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from kieubao.platform.smtp_sink import free_port

Answer = tuple[int, dict[str, Any], dict[str, str]]


@dataclass
class Fake(ABC):
    """What every fake keeps: what it accepted, who it cannot reach, a rate limit to spend."""

    received: list[dict[str, Any]] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)
    throttled: int = 0  # answer this many requests with the provider's "slow down"

    @abstractmethod
    def answer(self, path: str, headers: Any, body: bytes) -> Answer:
        """The provider's status, JSON answer and extra headers for one request."""

    def get(self, path: str, headers: Any) -> tuple[int, bytes, dict[str, str]]:
        """A download from the provider (status, body, headers); none by default."""
        return 404, b"", {}

    def throttle(self) -> bool:
        if self.throttled > 0:
            self.throttled -= 1
            return True
        return False


class Gateway(Fake):
    """The generic gateway: JSON {to, text, reference} with a bearer token, {"id": ...} back;
    ``status`` set to refuse every message with that HTTP status."""

    token = "gateway-token"
    status = 200

    def answer(self, path: str, headers: Any, body: bytes) -> Answer:
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": "unauthorised"}, {}
        if self.status != 200:
            return self.status, {"error": "refused"}, {}
        self.received.append(json.loads(body))
        return 200, {"id": f"gw-{len(self.received)}"}, {}


class Twilio(Fake):
    sid, token = "AC" + "0" * 32, "twilio-auth-token"

    def answer(self, path: str, headers: Any, body: bytes) -> Answer:
        expected = base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        if headers.get("Authorization") != f"Basic {expected}":
            return 401, self.error(20003, "Authenticate", 401), {}
        if path != f"/2010-04-01/Accounts/{self.sid}/Messages.json":
            return 404, self.error(20404, "The requested resource was not found", 404), {}
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if not form.get("Body") or not (form.get("From") or form.get("MessagingServiceSid")):
            return 400, self.error(21602, "Message body is required.", 400), {}
        if self.throttle():
            return 429, self.error(20429, "Too Many Requests", 429), {"Retry-After": "7"}
        if form["To"] in self.unreachable:
            return 400, self.error(21211, "The 'To' number is not a valid phone number.", 400), {}
        self.received.append(form)
        sid = "SM" + secrets.token_hex(16)
        return 201, {"sid": sid, "status": "queued", "to": form["To"], "body": form["Body"]}, {}

    @staticmethod
    def error(code: int, message: str, status: int) -> dict[str, Any]:
        more = f"https://www.twilio.com/docs/errors/{code}"
        return {"code": code, "message": message, "more_info": more, "status": status}


class Zalo(Fake):
    token = "zalo-oa-token"

    def answer(self, path: str, headers: Any, body: bytes) -> Answer:
        if path != "/v3.0/oa/message/cs":
            return 404, {}, {}
        if headers.get("access_token") != self.token:
            return 200, {"error": -216, "message": "Access token is invalid"}, {}
        payload = json.loads(body)
        user = payload.get("recipient", {}).get("user_id")
        text = payload.get("message", {}).get("text")
        if not user or not text:
            return 200, {"error": -201, "message": "Parameters are invalid"}, {}
        if self.throttle():
            return 200, {"error": -32, "message": "Request exceeded the limit per minute"}, {}
        if user in self.unreachable:
            return 200, {"error": -213, "message": "User has not followed the OA"}, {}
        self.received.append(payload)
        found = {"message_id": secrets.token_hex(16), "user_id": user}
        return 200, {"data": found, "error": 0, "message": "Success"}, {}


class Telegram(Fake):
    token = "123456:telegram-bot-token"

    def answer(self, path: str, headers: Any, body: bytes) -> Answer:
        if path != f"/bot{self.token}/sendMessage":
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, {}
        payload = json.loads(body)
        chat, text = str(payload.get("chat_id", "")), payload.get("text")
        if not text:
            return 400, self.error(400, "Bad Request: message text is empty"), {}
        if self.throttle():
            refusal = self.error(429, "Too Many Requests: retry after 5")
            return 429, {**refusal, "parameters": {"retry_after": 5}}, {}
        if chat in self.unreachable:
            return 403, self.error(403, "Forbidden: bot was blocked by the user"), {}
        if not chat.lstrip("-").isdigit():
            return 400, self.error(400, "Bad Request: chat not found"), {}
        self.received.append(payload)
        result = {
            "message_id": len(self.received),
            "chat": {"id": int(chat), "type": "private"},
            "date": 1_790_000_000,
            "text": text,
        }
        return 200, {"ok": True, "result": result}, {}

    @staticmethod
    def error(code: int, description: str) -> dict[str, Any]:
        return {"ok": False, "error_code": code, "description": description}


@dataclass
class WhatsApp(Fake):
    """The Cloud API: free text only to numbers in ``window`` (who wrote in the last 24
    hours; everyone when None), templates only by an approved (name, language)."""

    phone_number_id, token = "106540352242922", "whatsapp-access-token"
    window: set[str] | None = None
    approved: set[tuple[str, str]] = field(default_factory=set)

    def answer(self, path: str, headers: Any, body: bytes) -> Answer:
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, self.error(190, "Invalid OAuth access token.", "OAuthException"), {}
        if path != f"/{self.phone_number_id}/messages":
            return 400, self.error(100, "Unsupported post request.", "GraphMethodException"), {}
        payload = json.loads(body)
        kind = payload.get("type")
        if payload.get("messaging_product") != "whatsapp" or kind not in ("text", "template"):
            return 400, self.error(100, "Invalid parameter", "OAuthException"), {}
        to = payload.get("to", "")
        if kind == "template":
            template = payload.get("template") or {}
            named = (template.get("name"), (template.get("language") or {}).get("code"))
            if named not in self.approved:
                message = "Template name does not exist in the translation"
                return 404, self.error(132001, message, "OAuthException"), {}
        elif self.window is not None and to not in self.window:
            message = "Re-engagement message"
            return 400, self.error(131047, message, "OAuthException"), {}
        if self.throttle():
            return 400, self.error(130429, "Rate limit hit", "OAuthException"), {}
        if to in self.unreachable:
            message = "Recipient phone number not in allowed list"
            return 400, self.error(131030, message, "OAuthException"), {}
        self.received.append(payload)
        wamid = "wamid." + base64.b64encode(secrets.token_bytes(24)).decode()
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": wamid}],
        }
        return 200, answer, {}

    @staticmethod
    def error(code: int, message: str, kind: str) -> dict[str, Any]:
        error = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf"}
        return {"error": error}


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, answer, extra = self.server.fake.answer(self.path, self.headers, body)
        data = json.dumps(answer).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **extra}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        status, data, extra = self.server.fake.get(self.path, self.headers)
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return None


class _Server(ThreadingHTTPServer):
    fake: Fake


@contextmanager
def serving(fake: Fake) -> Iterator[str]:
    """The fake on a local port, for the block; yields its base URL."""
    server = _Server(("127.0.0.1", free_port()), _Handler)
    server.fake = fake
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
