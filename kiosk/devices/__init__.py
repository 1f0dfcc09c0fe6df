"""Hardware: the GSM modem driver and the SMS PDU codec (the simulator is a tool: kiosk.simulator).

Nothing here knows about visits, staff or alarms; it moves SMS between a serial line and a caller.
"""
