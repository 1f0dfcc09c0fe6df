"""The gateway: the headless service that owns the modem, the escalation clock and the outbox.

It shares only the database with the reception screen; it must never depend on the screen running.
"""
