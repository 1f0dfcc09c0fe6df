"""A real browser on `kiosk serve`: Debian's headless chromium opens the board and takes a screenshot.

Chromium's own `--screenshot` fires when the page has loaded, before the viewer process (started
by the websocket) has drawn anything, so the test drives the same headless chromium over its
DevTools protocol instead: open the page, wait for the board's first bytes, capture. Every request
the browser makes is recorded: none may leave this host. Deselected where chromium is not installed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import struct
import subprocess
import time
import zlib
from pathlib import Path

import aiohttp
import pytest

CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--window-size=1280,800", "--remote-debugging-port=0"]


class DevTools:
    """The few DevTools calls the test needs, over one page's websocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws, self.next_id, self.requests = ws, 0, []

    async def call(self, method: str, **params) -> dict:
        self.next_id += 1
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        while True:
            message = json.loads((await self.ws.receive(timeout=30)).data)
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
            elif message.get("method") == "Network.webSocketCreated":
                self.requests.append(message["params"]["url"])
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message["result"]


def png_rows(png: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, raw scanlines) of an 8-bit RGB(A) PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, width = 8, b"", 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            channels = {2: 3, 6: 4}[colour]
            assert depth == 8
        elif kind == b"IDAT":
            data += body
        pos += 12 + length
    raw = zlib.decompress(data)
    stride = 1 + width * channels
    return width, height, [raw[i:i + stride] for i in range(0, len(raw), stride)]


async def screenshot(url: str, folder: Path) -> tuple[bytes, list[str]]:
    profile = folder / "chromium-profile"
    browser = subprocess.Popen([*CHROMIUM, f"--user-data-dir={profile}", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not (profile / "DevToolsActivePort").is_file() or not (profile / "DevToolsActivePort").read_text():
            assert time.monotonic() < deadline and browser.poll() is None, "chromium did not start"
            await asyncio.sleep(0.05)
        port = (profile / "DevToolsActivePort").read_text().split()[0]
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
                page = next(t for t in await response.json() if t["type"] == "page")
            async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                tools = DevTools(ws)
                await tools.call("Network.enable")
                await tools.call("Page.navigate", url=url)
                drawn = "document.body !== null && document.body.classList.contains('-first-byte')"
                deadline = time.monotonic() + 60
                while not (await tools.call("Runtime.evaluate", expression=drawn, returnByValue=True))["result"].get(
                        "value"):
                    assert time.monotonic() < deadline, "the board never drew in the browser"
                    await asyncio.sleep(0.1)
                await asyncio.sleep(1.5)  # the first bytes are the start of the first frame
                shot = await tools.call("Page.captureScreenshot", format="png")
                address = (await tools.call("Runtime.evaluate", expression="window.location.href",
                                            returnByValue=True))["result"]["value"]
                assert "token" not in address  # the page took it out of the address bar
                return base64.b64decode(shot["data"]), tools.requests
    finally:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait(5)


@pytest.mark.chromium
def test_headless_chromium_shows_the_board_and_loads_nothing_off_host(served, tmp_path):
    png, requests = asyncio.run(screenshot(f"{served.url}/?token={served.token}", tmp_path))
    (tmp_path / "board.png").write_bytes(png)
    width, height, rows = png_rows(png)
    assert width == 1280 and height >= 500
    assert len(set(rows)) > 100  # a drawn board, not a blank page (a blank one has a handful of rows)
    host = served.url.split("://", 1)[1]
    assert requests and all(u.split("://", 1)[1].startswith(host + "/") for u in requests), requests
    assert any(u.startswith(f"ws://{host}/ws") for u in requests)
