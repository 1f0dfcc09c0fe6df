"""The USB re-bind rung against a fake sysfs tree (the kernel's is /sys; on a Pi the modem's tty is
/sys/class/tty/ttyUSB2/device -> .../usb1/1-1/1-1.3/1-1.3:1.2, and 1-1.3 has `authorized`)."""

from __future__ import annotations

import os

import pytest

from kiosk.gateway.watchdog import usb_device, usb_rebind


def fake_sysfs(tmp_path, tty="ttyUSB2"):
    sysfs = tmp_path / "sys"
    device = sysfs / "devices" / "platform" / "usb1" / "1-1" / "1-1.3"
    interface = device / "1-1.3:1.2" / tty
    interface.mkdir(parents=True)
    (device / "authorized").write_text("1\n")
    (device / "idVendor").write_text("2c7c\n")
    (sysfs / "class" / "tty" / tty).mkdir(parents=True)
    os.symlink(interface, sysfs / "class" / "tty" / tty / "device")
    dev = tmp_path / "dev"
    dev.mkdir()
    (dev / tty).write_text("")
    os.symlink(dev / tty, dev / "kiosk-modem")
    return sysfs, device, str(dev / "kiosk-modem")


def test_finds_the_usb_device_behind_the_udev_name_and_toggles_authorized(tmp_path):
    sysfs, device, port = fake_sysfs(tmp_path)
    assert usb_device(port, sysfs) == device
    writes = []
    done = usb_rebind(port, sysfs, pause=0.5, sleep=lambda s: writes.append(("sleep", s)),
                      write=lambda path, value: (writes.append((path, value)), path.write_text(value)))
    assert done == device
    assert writes == [(device / "authorized", "0"), ("sleep", 0.5), (device / "authorized", "1")]
    assert (device / "authorized").read_text() == "1"


def test_no_usb_device_is_an_error_not_a_guess(tmp_path):
    sysfs, _, _ = fake_sysfs(tmp_path)
    assert usb_device("/dev/pts/7", sysfs) is None
    with pytest.raises(FileNotFoundError):
        usb_rebind("/dev/pts/7", sysfs, pause=0)
