"""Logging that cannot leak personal data: a filter masks every C2/C3 value the privacy engine's
recognizers find in a record — ID cards, bank cards, mobiles, landlines, e-mails, passports and
permits, WeChat/QQ ids, plates, names and addresses in context, secrets — message, traceback and
stack alike.

Code should not log personal data in the first place; this is the net under that rule, applied to
our own loggers and to uvicorn's (whose access log prints request paths and query strings, which a
careless caller can fill with phone numbers or percent-encoded names). It must not make logging
slow: a record with no digit, no "@" and no Chinese (most framework lines) is passed through as is,
repeated messages are scrubbed once (an LRU cache), and the recognizers run once per message. C1
values (IP addresses, organisation codes) are kept: operations need them and they are not personal.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from functools import lru_cache
from urllib.parse import unquote

_WORTH_SCANNING = re.compile(r"[0-9０-９@＠\u3400-\u9fff]")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
# After the recognizers, a net for numbers they reject: an ID or card with a wrong check digit, a
# mobile in an odd spelling, is still somebody's.
_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{14,18}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
_LEVELS = ("C2", "C3")
_CACHED_UP_TO = 2048  # longer messages (tracebacks, dumps) are scrubbed without being kept


def _rules_dir():
    from xiaobao.rules import BUNDLED, RulesError, rules_dir

    try:
        return rules_dir()  # the process's rules (XIAOBAO_RULES_DIR): logs have no context to ask
    except RulesError:
        # A wrong XIAOBAO_RULES_DIR stops the start-up (rules.load); a log line must still be masked, not lost.
        return BUNDLED


@lru_cache(maxsize=4)
def _engine(directory):
    from xiaobao.engines.privacy.config import load_config
    from xiaobao.engines.privacy.operators import MaskRule, Operators, load_operator_config
    from xiaobao.engines.privacy.policy import Anonymizer, get_policy
    from xiaobao.engines.privacy.scanner import ALL_TYPES, Scanner

    config = load_operator_config(directory)
    # Logs show less than the console: an ID keeps 3 leading characters (as the customer masks do),
    # not its 6-digit region code.
    config = dataclasses.replace(config, masks={**config.masks, "CN_ID_CARD": MaskRule(3, 4)})
    recognizers = load_config(directory)
    types = recognizers.types
    scanner = Scanner(recognizers, types=[t for t in ALL_TYPES if t in types and types[t].level in _LEVELS])
    return Anonymizer(Operators(None, config), scanner), get_policy("display", directory)


def _mask_digits(m: re.Match) -> str:
    s = m.group()
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def _scrub(text: str, directory=None) -> str:
    anon, policy = _engine(directory or _rules_dir())
    hits = [h for h in anon.scanner.scan(text) if h.level in _LEVELS]
    out = anon.apply(text, hits, policy) if hits else text
    out = _LONG_NUMBER.sub(_mask_digits, out)
    return _MOBILE.sub(_mask_digits, out)


@lru_cache(maxsize=4096)
def _scrub_cached(text: str, directory) -> str:
    return _scrub(text, directory)


def scrub(text: str) -> str:
    """`text` with its personal data masked (C3 secrets removed). Percent-encoded text (URLs in the
    access log) is decoded first when that reveals something to mask."""
    if not text or not _WORTH_SCANNING.search(text) and "%" not in text:
        return text
    fn = _scrub_cached if len(text) <= _CACHED_UP_TO else _scrub
    directory = _rules_dir()  # part of the cache key: another rules directory masks differently
    if "%" in text and _PERCENT.search(text):
        decoded = unquote(text)
        if decoded != text:
            clean = fn(decoded, directory)
            if clean != decoded:
                return clean
    return fn(text, directory)


class PiiScrubber(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record: the formatter reports it, a filter must not raise
            return True
        clean = scrub(msg)
        if clean != msg:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            # The formatter would render the traceback (exception messages and all) after us.
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
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
