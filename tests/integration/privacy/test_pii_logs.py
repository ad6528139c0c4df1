"""PII never reaches the logs (issue 5), on SQLite and PostgreSQL: real flows through a real uvicorn
server logging the way `xiaobao serve` does (`logs.install`, uvicorn's access log propagated to our
handlers) — intake with personal data in the complaint text, an import, an unhandled error whose
message and traceback carry personal data, query strings holding a phone number and a
percent-encoded name — and the written log file is scanned for every planted value."""

import json
import logging
import socket
import threading
import time
from urllib.parse import quote

import httpx
import pytest
import uvicorn

from tests.conftest import PASSWORD, record
from xiaobao import logs
from xiaobao.api.app import create_app
from xiaobao.services.complaints.intake.importing import import_file

PHONE, OTHER_PHONE, ID, CARD = "13712345678", "13598765432", "11010519491231002X", "6222021234567890128"
EMAIL, NAME, TEXT_NAME, SECRET = "zhaomin.x@163.com", "赵敏", "李秀英", "验证码482913"
PLANTED = [PHONE, OTHER_PHONE, ID, CARD, EMAIL, NAME, TEXT_NAME, "482913", quote(NAME), quote(TEXT_NAME)]
TEXT = (f"我叫{TEXT_NAME}，手机{OTHER_PHONE}，身份证{ID}，卡号{CARD}被扣款，邮箱{EMAIL}，"
        f"催收员还让我报{SECRET}。")


@pytest.fixture
def log_file(tmp_path):
    """What `xiaobao serve` installs, writing to a file; removed afterwards."""
    path = tmp_path / "xiaobao.log"
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    # As in a fresh `xiaobao serve` process: uvicorn's loggers at their defaults (an earlier test's
    # uvicorn.Config may have set them to WARNING, which would silence the access log under test).
    uv = {n: logging.getLogger(n) for n in ("uvicorn", "uvicorn.error", "uvicorn.access")}
    saved = {n: (lg.level, lg.propagate, list(lg.handlers)) for n, lg in uv.items()}
    for lg in uv.values():
        lg.setLevel(logging.NOTSET)
    logs.install(level=logging.DEBUG, log_file=str(path))
    yield path
    for h in [h for h in root.handlers if h not in before]:
        h.close()
        root.removeHandler(h)
    root.setLevel(level)
    for n, (lvl, propagate, handlers) in saved.items():
        uv[n].setLevel(lvl)
        uv[n].propagate = propagate
        uv[n].handlers[:] = handlers


class LiveServer:
    """uvicorn serving `app` in a thread on a port of its own. `stop()` returns once the server has shut
    down — every request handled to its end, its log lines written (uvicorn waits for its tasks)."""

    def __init__(self, app):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=True, lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> None:
        self.thread.start()
        # `started` is set once the socket listens and the app's startup has run; fail at once if it died.
        deadline = time.monotonic() + 20
        while not self.server.started and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started, "uvicorn did not start"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "uvicorn did not shut down"
        self.sock.close()


@pytest.fixture
def server(ctx, users):
    """A real uvicorn server on a free port, configured as `xiaobao serve` configures it."""
    app = create_app(ctx)

    @app.get("/boom")
    def boom(phone: str):  # a handler that fails with personal data in its message
        raise RuntimeError(f"lookup failed for customer {phone} / {ID}")

    live = LiveServer(app)
    live.start()
    yield live
    if live.thread.is_alive():
        live.stop()


def test_no_planted_personal_data_in_the_log_file(ctx, log_file, server, tmp_path):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        token = http.post("/auth/login", json={"username": "agent", "password": PASSWORD}).json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        created = http.post("/complaints", headers=h, json=record(
            1, customer_name=NAME, customer_phone=PHONE, customer_id_number=ID, email=EMAIL, text=TEXT))
        assert created.status_code == 201
        # A careless caller: personal data in URLs, plain and percent-encoded.
        assert http.get("/complaints", params={"team": PHONE, "assignee": TEXT_NAME}, headers=h).status_code == 200
        assert http.get(f"/complaints?team={quote(NAME)}&assignee={CARD}", headers=h).status_code == 200
        # When a handler raises, the 500 goes out first (Starlette); uvicorn then writes the traceback to the
        # log and only after that closes the connection. While it writes, the connection looks open to the
        # client, which sends its next request on it; the close then drops that unread request and the
        # client gets "connection reset by peer" (a slow log write under load is enough). So the client
        # does not keep this connection.
        assert http.get("/boom", params={"phone": OTHER_PHONE}, headers={"Connection": "close"}).status_code == 500
        bad = http.post("/complaints", headers=h, json=record(2, customer_id_number=ID[:-1] + "1", text=TEXT))
        assert bad.status_code == 422
    server.stop()  # the traceback of /boom is logged after its 500 was sent: only now is it surely written
    src = tmp_path / "import.jsonl"
    src.write_text(json.dumps(record(3, customer_phone=OTHER_PHONE, text=TEXT), ensure_ascii=False) + "\n",
                   encoding="utf-8")
    assert import_file(ctx, src, actor="t").inserted == 1
    log = logging.getLogger("xiaobao.test")
    log.info("客户%s来电，手机%s，身份证%s，邮箱%s", NAME, PHONE, ID, EMAIL)
    try:
        raise ValueError(f"bad card {CARD} for {TEXT_NAME}, {SECRET}")
    except ValueError:
        log.exception("payment check failed")
    for h in logging.getLogger().handlers:
        h.flush()

    written = log_file.read_text(encoding="utf-8")
    # The flows were logged (so the scan below means something) ...
    assert '"POST /complaints HTTP/1.1" 201' in written
    assert f"GET /complaints?team=137****5678&assignee={TEXT_NAME[0]}**" in written
    assert "Exception in ASGI application" in written and "RuntimeError: lookup failed for customer 135****5432" in written
    assert "ValueError: bad card 622202*********0128" in written and "payment check failed" in written
    assert "客户赵*来电，手机137****5678，身份证110***********002X，邮箱z******.*@163.com" in written
    # ... and not one planted value is in them.
    assert [v for v in PLANTED if v in written] == []


def test_scrub_is_fast_on_lines_without_personal_data_and_caches_repeats():
    plain = "Application startup complete."
    assert logs.scrub(plain) is plain  # no digit, "@" or Chinese: not scanned at all
    line = f'127.0.0.1:51234 - "GET /complaints?team={PHONE} HTTP/1.1" 200'
    assert logs.scrub(line) == '127.0.0.1:51234 - "GET /complaints?team=137****5678 HTTP/1.1" 200'
    hits = logs._scrub_cached.cache_info().hits
    logs.scrub(line)
    assert logs._scrub_cached.cache_info().hits == hits + 1
    assert logs.scrub("ID 110105194912310021 (bad check digit)") == "ID 110***********0021 (bad check digit)"
    assert logs.scrub("from 10.1.2.3 in 12.5 ms") == "from 10.1.2.3 in 12.5 ms"  # C1 (IP) and figures kept
