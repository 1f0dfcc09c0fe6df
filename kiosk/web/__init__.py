"""The read-only board over HTTP (`kiosk serve`): textual-serve behind a token, an Origin check and a cap.

`guard` holds the pure checks (token, origin, viewer slots); `server` puts them in front of
textual-serve. Nothing here may offer a way to change the database: each browser gets its own
`kiosk ui --viewer` process, which opens the database read-only.
"""
