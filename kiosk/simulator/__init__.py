"""A GSM modem simulated on a real pseudo-terminal: a tool for tests, the demo and people at a keyboard.

Not the hardware (that is kiosk.devices, which this package only borrows the PDU codec and AT line
helpers from): `modem` owns the pty and the injection API, `commands` answers the AT command set,
`console` is the one-line injection language of `kiosk simulator` and the demo.
"""
