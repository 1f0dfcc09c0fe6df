"""Hardware: the GSM modem driver, the SMS PDU codec and an AT modem simulator.

Nothing here knows about visits, staff or alarms; it moves SMS between a serial line and a caller.
"""
