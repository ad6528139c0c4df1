"""Login under attack: throttled per account and per address with back-off, the same time for unknown users,
failed attempts audited without the typed username in clear, and the console form protected by a CSRF pair."""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from xiaobao.api.app import create_app
from xiaobao.services import auth
from xiaobao.services.errors import AuthFailed, TooManyAttempts
from xiaobao.store.audit import audit_log

from tests.conftest import PASSWORD, console_login


def _fail(ctx, username, address="10.0.0.1", password="wrong-password"):
    with pytest.raises(AuthFailed):
        auth.login(ctx, username, password, address=address)


def test_five_failures_lock_the_account_and_the_right_password_is_refused_too(ctx, users):
    for _ in range(5):
        _fail(ctx, "agent")
    with pytest.raises(TooManyAttempts) as locked:
        auth.login(ctx, "agent", PASSWORD, address="10.0.0.2")
    assert locked.value.details["retry_after_s"] == 60
    ctx.now.advance(seconds=61)
    token, actor = auth.login(ctx, "agent", PASSWORD, address="10.0.0.2")
    assert actor.username == "agent" and token


def test_the_lock_doubles_each_time_it_is_earned_again(ctx, users):
    waits = []
    for _ in range(3):
        for _ in range(5):
            _fail(ctx, "expert")
        with pytest.raises(TooManyAttempts) as locked:
            auth.login(ctx, "expert", PASSWORD)
        waits.append(locked.value.details["retry_after_s"])
        ctx.now.advance(seconds=waits[-1] + 1)
    assert waits == [60, 120, 240]


def test_a_success_forgives_earlier_failures(ctx, users):
    for _ in range(4):
        _fail(ctx, "care")
    auth.login(ctx, "care", PASSWORD)
    for _ in range(4):
        _fail(ctx, "care")
    assert auth.login(ctx, "care", PASSWORD)[1].username == "care"


def test_one_address_trying_many_usernames_is_locked(ctx, users):
    for i in range(30):
        _fail(ctx, f"nobody{i}", address="192.0.2.7")
    with pytest.raises(TooManyAttempts):
        auth.login(ctx, "admin", PASSWORD, address="192.0.2.7")
    assert auth.login(ctx, "admin", PASSWORD, address="192.0.2.8")[1].username == "admin"


def test_the_api_answers_429_with_retry_after(ctx, users):
    client = TestClient(create_app(ctx))
    for _ in range(5):
        assert client.post("/auth/login", json={"username": "auditor", "password": "nope-nope"}).status_code == 401
    r = client.post("/auth/login", json={"username": "auditor", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["error"] == "too_many_attempts" and int(r.headers["retry-after"]) > 0


def test_a_failed_login_is_audited_without_the_typed_username_in_clear(ctx, users):
    _fail(ctx, "13912345678")
    _fail(ctx, "supervisor")
    with ctx.store.uow(write=False) as uow:
        entries = [dict(r) for r in uow.session.execute(
            select(audit_log).where(audit_log.c.action == "auth.login_failed")).mappings()]
    blob = repr(entries)
    assert "13912345678" not in blob and "139****5678" in blob
    assert any(e["entity_id"] == "supervisor" for e in entries)  # a real account is named: that is who was attacked


def test_an_unknown_username_costs_the_same_time_as_a_known_one(ctx, users):
    costly = replace(ctx.settings, argon2="2,16384,1")  # slow enough that a skipped Argon2 run would show
    ctx = replace(ctx, settings=costly)
    auth.create_user(ctx, username="timed", password=PASSWORD, role="agent")

    def median_ms(username):
        samples = []
        for i in range(7):
            t = time.perf_counter()
            with pytest.raises(AuthFailed):
                auth.login(ctx, username, "wrong-password", address=f"198.51.100.{i}")
            samples.append((time.perf_counter() - t) * 1000)
            ctx.now.advance(minutes=20)  # stay under the lock: this test is about time, not throttling
        return statistics.median(samples)

    known, unknown = median_ms("timed"), median_ms("no-such-user")
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_the_console_login_form_needs_its_csrf_pair(ctx, users):
    client = TestClient(create_app(ctx))
    r = client.post("/ui/login", data={"username": "admin", "password": PASSWORD, "next": "/ui/"},
                    follow_redirects=False)
    assert r.status_code == 403 and "xb_session" not in r.cookies
    assert console_login(client, "admin").status_code == 303


def test_the_console_shows_a_locked_account_in_words(ctx, users):
    client = TestClient(create_app(ctx))
    for _ in range(5):
        assert console_login(client, "agent", password="wrong-one").status_code == 401
    r = console_login(client, "agent")
    assert r.status_code == 429 and "分钟后再试" in r.text
