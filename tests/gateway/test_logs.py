"""Gateway log lines: levels journald understands, one line per record."""

import io
import logging

from kiosk.gateway.logs import setup_logging


def test_journal_priority_prefix_and_plain_terminal_format():
    out = io.StringIO()
    handler = setup_logging(stream=out, env={"JOURNAL_STREAM": "8:1234"})
    try:
        log = logging.getLogger("kiosk.gateway.test")
        log.warning("modem gone\nsecond line")
        log.info("ready")
        log.debug("hidden")
        assert out.getvalue().splitlines() == ["<4>kiosk.gateway.test: modem gone | second line",
                                               "<6>kiosk.gateway.test: ready"]
        out2 = io.StringIO()
        setup_logging(stream=out2, env={})
        log.error("send failed")
        assert out2.getvalue() == "ERROR kiosk.gateway.test: send failed\n"
    finally:
        logging.getLogger("kiosk").handlers[:] = []
        logging.getLogger("kiosk").propagate = True
        del handler
