"""Finding a time for a group: slots inside everyone's working hours and calendar invites.

Pure code (no SQL, no Slack, no clock of its own: every function takes an explicit moment):
``slots`` turns each member's working week into UTC intervals and proposes, checks and books
30-minute slots; ``invite`` builds the RFC 5545 ``.ics`` for a booked slot.
"""
