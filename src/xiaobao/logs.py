"""Logging that cannot leak personal data: a filter masks ID, card and phone numbers in every record.

Code should not log personal data in the first place; this is the net under that rule, applied to
our own loggers and to uvicorn's (whose access log prints request paths and query strings).
"""

from __future__ import annotations

import logging
import re

from .domain.identity import mask_id, mask_phone

_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d)")
_CARD = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")


def scrub(text: str) -> str:
    text = _ID.sub(lambda m: mask_id(m.group()), text)
    text = _CARD.sub(lambda m: m.group()[:4] + "*" * (len(m.group()) - 8) + m.group()[-4:], text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()[-11:]), text)


class PiiScrubber(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        clean = scrub(msg)
        if clean != msg:
            record.msg, record.args = clean, None
        return True


def _handler(handler: logging.Handler) -> logging.Handler:
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PiiScrubber())
    return handler


def install(level: int = logging.INFO, log_file: str | None = None) -> None:
    """Console logging, and a file (XIAOBAO_LOG_FILE) when asked; both scrubbed."""
    import os

    root = logging.getLogger()
    if not any(isinstance(f, PiiScrubber) for h in root.handlers for f in h.filters):
        root.addHandler(_handler(logging.StreamHandler()))
    log_file = log_file or os.environ.get("XIAOBAO_LOG_FILE")
    if log_file and not any(getattr(h, "baseFilename", None) == os.path.abspath(log_file) for h in root.handlers):
        root.addHandler(_handler(logging.FileHandler(log_file, encoding="utf-8")))
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
