"""Structured logging: JSON lines with the request id, and phones and ID numbers masked in
every line whatever the code logged."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time

from server.core.privacy import mask_text

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_STD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "request_id": request_id_var.get(),
            "msg": record.getMessage(),
        }
        for k, v in record.__dict__.items():
            if k not in _STD and not k.startswith("_"):
                out[k] = v
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return mask_text(json.dumps(out, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.request_id = request_id_var.get()
        extras = " ".join(f"{k}={v}" for k, v in record.__dict__.items()
                          if k not in _STD and k not in ("request_id", "event") and not k.startswith("_"))
        line = super().format(record)
        return mask_text(f"{line} {extras}" if extras else line)


def setup_logging(level: str = "INFO", as_json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if as_json:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Tornado's access log duplicates our own structured request line
    logging.getLogger("tornado.access").setLevel(logging.CRITICAL)
    # urllib3 logs full request URLs at DEBUG, and WeChat puts its secrets in query strings
    logging.getLogger("urllib3").setLevel(max(logging.INFO, root.level))
