"""The simulator's injection language: one line typed by a person (or a demo script) -> one event.

`SimConsole(sim).execute("sms +447700900123 OK running late")` returns a one-line answer. Bad input
gets a clear one-line answer and changes nothing; this module never raises on what is typed.
"""

from __future__ import annotations

from kiosk.devices.pdu import PduError
from kiosk.simulator.modem import ModemSimulator

HELP = """\
sms NUMBER TEXT           an SMS arrives, stored on the SIM (+CMTI); long texts arrive in parts
sms-reversed NUMBER TEXT  a multi-part SMS whose parts arrive last first
sms-partial NUMBER TEXT   a multi-part SMS whose last part never comes
push NUMBER TEXT          an SMS pushed straight to the client (+CMT), not stored
call NUMBER|withheld      an incoming call: RING (+CLIP) until the client hangs up
answer NUMBER [S] [KEY]   the kiosk's calls to NUMBER are answered after S seconds of ringing
                          (default 5), then KEY pressed (e.g. 1) or none (a voicemail)
busy NUMBER               the kiosk's calls to NUMBER end at once with BUSY
dialled                   list the calls the kiosk placed
report MR [STATUS]        a delivery report for message reference MR (status 0 = delivered)
error CODE                the next send fails with +CMS ERROR: CODE
fullsim                   fill the SIM store
garbage                   line noise and bytes that are not UTF-8
reboot                    the modem restarts (RDY, settings lost, SIM kept)
unplug / plug             the device vanishes / comes back under a new name
hang                      the modem stops answering until reboot or replug
silent PREFIX             the next command starting with PREFIX (e.g. AT+CMGL) gets no answer
nosim / sim               take the SIM out / put it back
signal N                  signal strength as +CSQ rssi 0..31 (99 = none)
register / unregister     on the network / off it
time                      the network announces the time (NITZ)
sent                      list what the client sent
stored                    list the SIM store
help                      this list
quit                      stop the simulator"""


class SimConsole:
    def __init__(self, sim: ModemSimulator) -> None:
        self.sim = sim

    def execute(self, line: str) -> str:  # noqa: C901 - one table of commands
        words = line.strip().split()  # not shlex: texts have apostrophes ("I'm running late")
        if not words:
            return ""
        verb, args = words[0].lower(), words[1:]
        sim = self.sim
        try:
            if verb in ("sms", "sms-reversed", "sms-partial", "push"):
                if len(args) < 2:
                    return f"usage: {verb} NUMBER TEXT"
                number, text = args[0], line.strip().split(maxsplit=2)[2]
                if verb == "push":
                    sim.inject_sms(number, text, direct=True)
                    return f"pushed SMS from {number}"
                parts = len(sim.inject_sms(number, text, order=[]))
                if verb == "sms-reversed":
                    sim.inject_sms(number, text, order=list(reversed(range(parts))))
                elif verb == "sms-partial":
                    if parts < 2:
                        return "error: that text fits in one part; nothing to leave out"
                    sim.inject_sms(number, text, drop_parts=(parts - 1,))
                else:
                    sim.inject_sms(number, text)
                return f"SMS from {number} delivered in {parts} part{'s' if parts > 1 else ''}"
            if verb == "call":
                if len(args) != 1:
                    return "usage: call NUMBER|withheld"
                number = None if args[0].lower() == "withheld" else args[0]
                sim.ring(number)
                return f"ringing from {number or 'a withheld number'}"
            if verb == "report":
                if not 1 <= len(args) <= 2 or not all(a.isdigit() for a in args):
                    return "usage: report MR [STATUS]"
                sim.inject_report(int(args[0]), status=int(args[1]) if len(args) > 1 else 0)
                return f"delivery report for message {args[0]}"
            if verb == "error":
                if len(args) != 1 or not args[0].isdigit():
                    return "usage: error CODE"
                sim.fail_next_send(int(args[0]))
                return f"next send fails with +CMS ERROR: {args[0]}"
            if verb == "signal":
                if len(args) != 1 or not args[0].isdigit() or not (int(args[0]) <= 31 or int(args[0]) == 99):
                    return "usage: signal N (0..31, 99 = none)"
                sim.set_network(rssi=int(args[0]))
                return f"signal rssi {args[0]}"
            if verb == "answer":
                if not 1 <= len(args) <= 3 or (len(args) > 1 and not args[1].isdigit()) or \
                        (len(args) == 3 and (len(args[2]) != 1 or args[2] not in "0123456789*#")):
                    return "usage: answer NUMBER [SECONDS] [KEY]"
                sim.script_call(args[0], answer_after=float(args[1]) if len(args) > 1 else 5.0,
                                key=args[2] if len(args) == 3 else None)
                return f"calls to {args[0]} answered" + (f", key {args[2]}" if len(args) == 3 else ", no key")
            if verb == "busy":
                if len(args) != 1:
                    return "usage: busy NUMBER"
                sim.script_call(args[0], ending="BUSY")
                return f"calls to {args[0]} end BUSY"
            if verb == "silent":
                if len(args) != 1:
                    return "usage: silent PREFIX"
                sim.silence(args[0])
                return f"next {args[0]} gets no answer"
            if args:
                return f"error: {verb} takes no arguments (type help)"
            simple = {
                "dialled": lambda: "\n".join(
                    f"{c.number} {c.dialled_at:%H:%M:%S} " + (f"ended ({c.ended_by})" if c.ended_at else "in progress")
                    for c in sim.dialled) or "no calls placed",
                "fullsim": lambda: f"SIM full ({sim.fill_sim()} old messages added)",
                "garbage": lambda: (sim.inject_garbage(), "garbage sent")[1],
                "reboot": lambda: (sim.reboot(), "modem rebooted")[1],
                "unplug": lambda: (sim.unplug(), "modem unplugged")[1] if sim.plugged else "already unplugged",
                "plug": lambda: "already plugged in" if sim.plugged else
                f"modem plugged in at {sim.plug()}" + (f" (stable path {sim.port})" if sim.link_path else ""),
                "hang": lambda: (sim.hang(), "modem hung: reboot or unplug/plug to recover")[1],
                "nosim": lambda: (sim.set_sim("ABSENT"), "SIM removed")[1],
                "sim": lambda: (sim.set_sim("READY"), "SIM inserted")[1],
                "register": lambda: (sim.set_network(registration=1), "registered on the network")[1],
                "unregister": lambda: (sim.set_network(registration=0), "off the network")[1],
                "time": lambda: (sim.inject_network_time(), "network time sent")[1],
                "sent": self._sent,
                "stored": self._stored,
                "help": lambda: HELP,
            }
            action = simple.get(verb)
            if action is None:
                return f"error: unknown command {verb!r} (type help)"
            return action()
        except (PduError, ValueError) as exc:
            return f"error: {exc}"

    def _sent(self) -> str:
        if not self.sim.sent:
            return "nothing sent"
        return "\n".join(f"#{m.message_ref} to {m.number}: {m.text}" for m in self.sim.sent)

    def _stored(self) -> str:
        stored = self.sim.stored()
        if not stored:
            return "SIM store empty"
        return f"{len(stored)} stored: indexes {', '.join(str(i) for i in stored)}"
