"""`kiosk board`, `kiosk messages`, `kiosk alarms`: read-only listings, text or `--json`.

JSON is one array on stdout (ids integers, times UTC `YYYY-MM-DDTHH:MM:SS+00:00` or null), with
exactly the fields issue 2 names; anything else goes to stderr.
"""

from __future__ import annotations

import argparse

from kiosk.cli._session import cell, command, instant, local, positive_int, print_json, say


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    board = sub.add_parser("board", parents=[common], help="open visits, most urgent first")
    board.add_argument("--json", action="store_true")
    board.set_defaults(func=show_board)
    messages = sub.add_parser("messages", parents=[common], help="SMS in and out, newest first")
    messages.add_argument("--json", action="store_true")
    messages.add_argument("--visit", type=int, metavar="ID")
    messages.add_argument("--limit", type=positive_int, default=200)
    messages.set_defaults(func=show_messages)
    alarms = sub.add_parser("alarms", parents=[common], help="alarms, newest first")
    alarms.add_argument("--json", action="store_true")
    alarms.add_argument("--open", action="store_true", help="unresolved only")
    alarms.set_defaults(func=show_alarms)


def board_json(rows) -> list[dict]:
    return [{"id": r.id, "staff": r.staff, "label": r.label, "state": r.state, "level": r.level,
             "due_back": instant(r.due_back), "last_contact": instant(r.last_contact), "alarms": r.alarms,
             "approved": r.approved, "approved_by": r.approved_by, "approved_at": instant(r.approved_at)}
            for r in rows]


@command
def show_board(args, ctx) -> None:
    from kiosk import services as svc

    rows = svc.board(ctx)
    if args.json:
        print_json(board_json(rows))
        return
    for r in rows:
        alarms = f" alarms {','.join(map(str, r.alarms))}" if r.alarms else ""
        say(f"{r.level.upper():<8} {cell(r.label, 16)} {cell(', '.join(r.staff), 28)} {r.state:<8} "
              f"due {local(ctx, r.due_back)} last {local(ctx, r.last_contact)}"
              f"{'' if r.approved else ' UNAPPROVED'}{alarms}")
    if not rows:
        print("no visits out")
    ignored = svc.ignored_count(ctx)
    if ignored:
        print(f"{ignored} text(s) from unregistered numbers ignored")


@command
def show_messages(args, ctx) -> None:
    from kiosk import services as svc

    rows = svc.list_messages(ctx, limit=args.limit, visit_id=args.visit)
    if args.json:
        print_json([{"id": m.id, "direction": m.direction, "number": m.number, "text": m.text, "state": m.state,
                     "at": instant(m.created_at), "visit": m.visit_id} for m in rows])
        return
    for m in rows:
        arrow = "<-" if m.direction == "in" else "->"
        say(f"{m.id:>5} {local(ctx, m.created_at)} {arrow} {m.number or '(unknown)':<15} {m.state:<9} {m.text!r}")


@command
def show_alarms(args, ctx) -> None:
    from kiosk import services as svc

    rows = svc.list_alarms(ctx, open_only=args.open)
    if args.json:
        history = svc.alarm_history(ctx, [a.id for a in rows])
        from kiosk.services.alert_delivery import deliveries

        sent = deliveries([a.id for a in rows])
        from kiosk.services.alert_delivery import alerted

        told = alerted([a.id for a in rows])
        print_json([{"id": a.id, "visit": a.visit_id, "kind": a.kind, "level": a.level,
                     "raised_at": instant(a.raised_at), "owner": a.owner.name if a.owner_id else None,
                     "acknowledged_by": a.acknowledged_by, "action": a.action,
                     "resolved_at": instant(a.resolved_at),
                     "history": [{"at": instant(s.at), "by": s.who, "action": s.action, "police_ref": s.police_ref,
                                  "note": s.note} for s in history.get(a.id, [])],
                     "deliveries": [{"to": d.to, "state": d.state, "sent_at": instant(d.sent_at),
                                     "delivered_at": instant(d.delivered_at)} for d in sent.get(a.id, [])],
                     "alert_tier": a.alert_tier,
                     "alerted": [{"who": t.who, "tier": t.tier, "how": t.how, "at": instant(t.at)}
                                 for t in told.get(a.id, [])]}
                    for a in rows])
        return
    for a in rows:
        status = "resolved" if a.resolved_at else "OPEN"
        extra = "".join(f" {k} {v}" for k, v in (("owner", a.owner.name if a.owner_id else None),
                                                  ("ack", a.acknowledged_by), ("action", a.action)) if v)
        say(f"{a.id:>4} {a.level.upper():<5} {a.kind:<16} visit {a.visit_id or '-'} raised "
              f"{local(ctx, a.raised_at)} {status}{extra}: {a.summary}")
