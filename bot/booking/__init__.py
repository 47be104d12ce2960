"""Finding a time for a group ("Pick a time"): the poll stored per group, booking the earliest
slot everyone ticked, the calendar invite and the reminder, and calling it all off.

``poll`` runs the units of work (what to show, what to send); ``sending`` calls Slack once
they have closed. The pure parts — slots and invites — are :mod:`bot.meetings`.
"""
