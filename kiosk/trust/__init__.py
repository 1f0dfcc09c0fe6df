"""The multi-academy-trust view: one read-only board of every school in a trust, on the trust's server.

Sites publish their boards by PostgreSQL logical replication, the trust's server subscribes to
every site, and `kiosk trust` shows them all read-only.

Never in the alarm path: each site's own database stays the record and drives its alarms; the trust
server only receives copies. Nothing in `kiosk.gateway`, `kiosk.app`, `kiosk.screens` or
`kiosk.services` imports this package (tests/trust/test_layers.py checks it), and nothing here
writes to a site's data. See docs/trust.md.

- `published`: what leaves a site (an allow-list of columns; never a code word).
- `site`: `publish` the allowed columns on a site's server (idempotent).
- `server`: the trust's server: `add_site`, `remove_site`, `list_sites` (a database per site).
- `board`, `render`, `app`: the read-only view, its text and JSON, and the Textual screen.
"""
