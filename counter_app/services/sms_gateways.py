"""Adapters of the `SmsGateway` port (R11): an HTTP SMS gateway and a file for the embedded default.

The outbox (`counter_app.services.notifications`) only knows the port: ``send(phone, body)``
raises on failure and the message stays in the outbox to be retried. Which adapter is used
comes from the configuration (`gateway_for`):

* `HttpSmsGateway` — the utility's SMS platform over HTTP. The URL and the request body
  are configurable, because every platform wants its own field names: the body template is
  a `string.Template` with ``$phone`` and ``$body`` (and ``$sender``); with a JSON content
  type the values are inserted as JSON strings (quotes and escapes included), with a form
  content type URL-encoded. Any 2xx answer means sent.
* `FileSmsGateway` — appends one JSON line per message to a file in the data directory:
  the embedded demo's default, so that messages are visibly "sent" without a platform, and a
  trail that a training session can read.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from string import Template

DEFAULT_JSON_TEMPLATE = '{"phone": $phone, "body": $body}'
"""Default request body: ``{"phone": "...", "body": "..."}``."""
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
OUTBOX_FILE_NAME = "sms-sent.jsonl"


class SmsGatewayError(ConnectionError):
    """The gateway did not take the message (HTTP status, network error); the outbox retries."""

    def __init__(self, url: str, detail: str, status: int | None = None) -> None:
        super().__init__(f"SMS gateway {url}: {detail}")
        self.url = url
        self.detail = detail
        self.status = status


class HttpSmsGateway:
    """The `SmsGateway` port over HTTP POST (URL and body template configurable, see module)."""

    def __init__(
        self,
        url: str,
        *,
        template: str = DEFAULT_JSON_TEMPLATE,
        content_type: str = JSON_CONTENT_TYPE,
        sender: str = "",
        timeout: float = 10.0,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"SMS gateway URL must be http(s)://, got {url!r}")
        self.url = url
        self.template = Template(template)
        self.content_type = content_type
        self.sender = sender
        self.timeout = timeout

    def render(self, phone: str, body: str) -> bytes:
        """The request body for one message (the template with the values filled in)."""
        values = {"phone": phone, "body": body, "sender": self.sender}
        if "json" in self.content_type:
            quoted = {k: json.dumps(v, ensure_ascii=False) for k, v in values.items()}
        else:
            quoted = {k: urllib.parse.quote(v, safe="") for k, v in values.items()}
        return self.template.substitute(quoted).encode("utf-8")

    def send(self, phone: str, body: str) -> None:
        request = urllib.request.Request(
            self.url,
            data=self.render(phone, body),
            method="POST",
            headers={"Content-Type": self.content_type},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            raise SmsGatewayError(self.url, f"HTTP {exc.code}", exc.code) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsGatewayError(self.url, f"unreachable ({reason})") from None
        if not 200 <= status < 300:
            raise SmsGatewayError(self.url, f"HTTP {status}", status)


class FileSmsGateway:
    """The `SmsGateway` port as a JSON-lines file (the embedded default; see module)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def send(self, phone: str, body: str) -> None:
        line = json.dumps(
            {
                "at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
                "phone": phone,
                "body": body,
            },
            ensure_ascii=False,
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    def messages(self) -> list[dict[str, str]]:
        """What was "sent" so far (for the outbox view and tests)."""
        if not self.path.exists():
            return []
        out: list[dict[str, str]] = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line))
        return out


def gateway_for(
    url: str,
    data_dir: str | Path,
    *,
    template: str = DEFAULT_JSON_TEMPLATE,
    content_type: str = JSON_CONTENT_TYPE,
) -> HttpSmsGateway | FileSmsGateway:
    """The configured gateway: HTTP when a URL is configured, else the file in `data_dir`."""
    if url:
        return HttpSmsGateway(url, template=template, content_type=content_type)
    return FileSmsGateway(Path(data_dir) / OUTBOX_FILE_NAME)
