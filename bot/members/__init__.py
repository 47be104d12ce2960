"""Members: the people who swap skills, split by concern.

``identity`` (who someone is in Slack, joining), ``names`` and ``dates`` (what members type;
pure), ``catalog`` (skills per workspace), ``skills`` (teach, learn, drop, who), ``profile``
(the profile form, pause, resume), ``overview`` (``me`` and the Home tab), ``leaving``,
``views`` (the plain data the builders render), ``lookups`` (what these modules share) and
``hours`` (the working week: ``working_week(member)`` for meeting slots, ``work_hours`` for
the matching engine).
Slack is asked before a unit of work opens, never inside one; nothing here posts to Slack.
"""

from bot.members.hours import working_week

__all__ = ["working_week"]
