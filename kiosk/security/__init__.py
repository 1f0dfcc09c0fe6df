"""Secrets at the kiosk keyboard: PIN hashing and the slow-down after wrong PINs. No Textual here."""
