"""Operations on a kiosk: doctor (is it set up right), export and report (records out), retention
(the nightly purge) and backup (copies and restore).

Run by people at the command line and by the gateway's nightly job, never in the path from "an SMS
arrived" to stored facts (that is kiosk.services). They read and write through the store and may
call the services; nothing in kiosk.services imports them.
"""
