"""sd_notify over a real unix datagram socket, as systemd's Type=notify listens for it."""

from __future__ import annotations

import os
import socket

import pytest

from kiosk.gateway.notify import Notifier


@pytest.fixture
def listener(tmp_path):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    yield str(path), sock
    sock.close()


def test_ready_watchdog_status_stopping_reach_the_socket(listener):
    path, sock = listener
    n = Notifier({"NOTIFY_SOCKET": path})
    assert n.enabled
    assert n.ready("receiving")
    assert sock.recv(1024) == b"READY=1\nSTATUS=receiving"
    assert n.watchdog()
    assert sock.recv(1024) == b"WATCHDOG=1"
    assert n.status("modem gone")
    assert sock.recv(1024) == b"STATUS=modem gone"
    assert n.stopping()
    assert sock.recv(1024) == b"STOPPING=1"


def test_abstract_namespace_socket():
    name = f"kiosk-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    sock.settimeout(2)
    try:
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).ready()
        assert sock.recv(1024).startswith(b"READY=1")
    finally:
        sock.close()


def test_without_socket_every_call_is_a_quiet_no_op():
    n = Notifier({})
    assert not n.enabled
    assert n.ready() is False and n.watchdog() is False
    assert n.watchdog_every() is None


def test_vanished_socket_is_a_warning_not_an_error(tmp_path, caplog):
    n = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone.sock")})
    assert n.ready() is False
    assert n.watchdog() is False
    assert caplog.text.count("sd_notify failed") == 1


def test_watchdog_interval_from_env():
    assert Notifier({"WATCHDOG_USEC": "30000000"}).watchdog_every() == 15
    assert Notifier({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}).watchdog_every() == 15
    assert Notifier({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}).watchdog_every() is None
    assert Notifier({"WATCHDOG_USEC": "soon"}).watchdog_every() is None
    assert Notifier({"WATCHDOG_USEC": "0"}).watchdog_every() is None
