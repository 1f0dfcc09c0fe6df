"""`kiosk serve` on loopback, driven by an HTTP client as a browser would.

Issue 9: "require the configured token on both the page and the websocket, check the Origin
header, cap concurrent viewers, serve a page template that loads nothing from the internet".
One real server (a subprocess, max_viewers = 2) serves the busy school for the whole module.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time

import aiohttp
import pytest

from kiosk.web.guard import COOKIE
from tests.polling import wait_for
from tests.web.stream import Viewer


def dump(path) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return list(conn.iterdump())


def run(scenario):
    return asyncio.run(scenario)


async def fetch(served, path: str, **kwargs) -> tuple[int, dict, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(served.url + path, allow_redirects=False, **kwargs) as response:
            return response.status, dict(response.headers), await response.text(errors="replace")


def open_viewer(session: aiohttp.ClientSession, served, *, token: str | None = "", origin: str | None = "",
                size: tuple[int, int] = (120, 40)):
    headers = {}
    token = served.token if token == "" else token
    origin = served.origin if origin == "" else origin
    if token is not None:
        headers["Cookie"] = f"{COOKIE}={token}"
    if origin is not None:
        headers["Origin"] = origin
    return session.ws_connect(f"{served.url}/ws?width={size[0]}&height={size[1]}", headers=headers)


# --- the page -----------------------------------------------------------------------------------

def test_the_page_needs_the_token(served):
    assert run(fetch(served, "/"))[0] == 401
    assert run(fetch(served, "/?token=wrong"))[0] == 403
    assert run(fetch(served, f"/?token={served.token[:-1]}"))[0] == 403  # all but its last character
    assert run(fetch(served, f"/?token={served.token}x"))[0] == 403
    assert run(fetch(served, "/", headers={"Cookie": f"{COOKIE}=wrong"}))[0] == 403
    assert run(fetch(served, "/static/js/textual.js"))[0] == 401
    assert run(fetch(served, "/ws"))[0] == 401

    status, headers, page = run(fetch(served, f"/?token={served.token}"))
    assert status == 200 and "St Nicholas Primary (read-only board)" in page
    cookie = headers["Set-Cookie"]
    assert f"{COOKIE}={served.token}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert run(fetch(served, "/", headers={"Cookie": f"{COOKIE}={served.token}"}))[0] == 200
    refused = run(fetch(served, "/"))[2]
    assert served.token not in refused and "token" in refused.lower()


def test_the_page_loads_nothing_from_off_this_host(served):
    status, headers, page = run(fetch(served, f"/?token={served.token}"))
    assert status == 200
    links = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']|url\(\s*["']?([^"')]*)""", page)
    urls = [a or b for a, b in links]
    assert urls and all(u.startswith("/static/") for u in urls), urls
    assert re.findall(r"\w+://[^\s\"'<>]+", page) == [f"ws://127.0.0.1:{served.url.rsplit(':', 1)[1]}/ws"]
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert re.search(r"connect-src 'self' ws://127\.0\.0\.1:\d+/ws;", policy)
    cookie = {"Cookie": f"{COOKIE}={served.token}"}
    for url in urls:  # what the page loads is here, and loads nothing further off-host itself
        status, _, body = run(fetch(served, url, headers=cookie))
        assert status == 200, url
        if url.endswith(".css"):
            assert not re.search(r"url\(\s*[\"']?\w+:", body) and "@import" not in body
    assert run(fetch(served, "/static/", headers=cookie))[0] in (403, 404)  # no directory listing
    assert run(fetch(served, "/download/anything", headers=cookie))[0] == 404  # no file delivery


# --- the websocket ------------------------------------------------------------------------------

async def handshake_status(served, **kwargs) -> int:
    async with aiohttp.ClientSession() as session:
        try:
            async with open_viewer(session, served, **kwargs):
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


def test_the_websocket_is_refused_without_the_token_or_from_another_origin(served):
    before = len(served.children())
    assert run(handshake_status(served, token=None)) == 401
    assert run(handshake_status(served, token="wrong")) == 403
    assert run(handshake_status(served, origin=None)) == 403
    assert run(handshake_status(served, origin="http://evil.example")) == 403
    assert run(handshake_status(served, origin=served.origin.replace("127.0.0.1", "localhost"))) == 403
    assert run(handshake_status(served, origin=served.origin + "0")) == 403  # another port
    assert len(served.children()) == before  # no viewer was started for any of them


def test_the_board_is_visible_and_keys_for_every_action_change_nothing(served):
    before = dump(served.db)

    async def scenario() -> str:
        async with aiohttp.ClientSession() as session:
            async with open_viewer(session, served) as ws:
                viewer = Viewer(ws)
                await viewer.read_until("St Nicholas Primary", "Gus Hill", "Ann Lee", "RED ALARM",
                                        "acknowledged at reception only")
                for key in ("o", "b", "e", "p", "c", "a", "k", "d", "enter", "1", "enter", "f1", "f6", "f7",
                            "f8", "f9", "f10", "down", "a", "escape", "ctrl+c"):
                    await viewer.press(key)
                await viewer.drain(1.5)
                assert viewer.closed is None  # still running: nothing quit it
                await ws.send_json(["resize", {"width": 100000, "height": -5}])  # bounded, not obeyed
                await ws.send_str("not json")
                await ws.send_json({"not": "a list"})
                await viewer.press("x" * 10000)  # too long: dropped
                await viewer.drain(0.5)
                assert viewer.closed is None
                return viewer.text

    seen = run(scenario())
    assert "High St" not in seen and "Elm Rd" not in seen  # addresses stay hidden
    assert "heron" not in seen and "bluebird" not in seen  # code words too
    assert "Acknowledge alarm" not in seen and "PIN" not in seen  # no dialog opened
    assert dump(served.db) == before
    wait_for(lambda: served.children() == [], timeout=20, what="the viewer process to end with its browser")


def test_the_viewer_after_the_last_allowed_one_is_refused_and_starts_no_process(served):
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            async with open_viewer(session, served) as one, open_viewer(session, served) as two:
                for ws in (one, two):
                    await Viewer(ws).read_until("St Nicholas Primary")
                assert len(served.children()) == 2
                status, _, page = await fetch(served, f"/?token={served.token}")
                assert status == 503 and "the most allowed" in page
                async with open_viewer(session, served) as three:
                    message = await three.receive(timeout=10)
                    assert message.type == aiohttp.WSMsgType.CLOSE
                    assert three.close_code == 1013 and "open in 2 browsers" in message.extra
                assert len(served.children()) == 2
        deadline = time.monotonic() + 20
        while (await fetch(served, f"/?token={served.token}"))[0] != 200:  # a slot is free again
            assert time.monotonic() < deadline, "no slot freed after the browsers left"
            await asyncio.sleep(0.1)

    run(scenario())


def test_the_token_is_never_written_to_the_log(served):
    run(fetch(served, f"/?token={served.token}"))
    run(fetch(served, f"/?token={served.token[:-1]}"))
    wait_for(lambda: "GET /?token=(not logged)" in served.log.read_text(errors="replace"), timeout=20, what="the access log")
    assert served.token not in served.log.read_text(errors="replace")
    assert served.token[:-1] not in served.log.read_text(errors="replace")


# --- starting it ------------------------------------------------------------------------------

def test_kiosk_serve_will_not_start_without_a_token(kiosk_cli, tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[serve]\nport = 8470\n', encoding="utf-8")
    result = kiosk_cli("serve", "--config", str(config), "--db", str(tmp_path / "kiosk.db"))
    assert result.returncode == 2
    assert "serve.token is not set" in result.stderr and "--new-token" in result.stderr
    assert not (tmp_path / "kiosk.db").exists()


def test_new_token_prints_a_line_the_config_accepts_and_writes_nothing(kiosk_cli, tmp_path):
    from kiosk.config import load_config

    first, second = kiosk_cli("serve", "--new-token"), kiosk_cli("serve", "--new-token")
    assert first.returncode == 0 and first.stdout != second.stdout
    line = next(ln for ln in first.stdout.splitlines() if ln.startswith("token = "))
    config = tmp_path / "kiosk.toml"
    config.write_text(f"[serve]\n{line}\n", encoding="utf-8")
    assert len(load_config(config, env={}).serve.token) >= 32
    assert list(tmp_path.iterdir()) == [config]


@pytest.mark.parametrize("bad", ['token = "short"', 'bind = "school.lan"', 'bind = "0.0.0.0"',
                                 'public_url = "http://board/path"', "max_viewers = 0", 'port = 80',
                                 'allowed_origins = ["*"]'])
def test_kiosk_serve_refuses_a_bad_serve_section(kiosk_cli, tmp_path, bad):
    config = tmp_path / "kiosk.toml"
    lines = [bad] if bad.startswith("token") else [f'token = "{"t" * 40}"', bad]
    config.write_text("[serve]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    result = kiosk_cli("serve", "--config", str(config))
    assert result.returncode == 2 and result.stderr.startswith("kiosk: serve.")
    assert "t" * 40 not in result.stderr and "short" not in result.stderr  # a token is never echoed
