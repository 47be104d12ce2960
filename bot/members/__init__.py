"""Members: the people who swap skills, split by concern.

``identity`` (who someone is in Slack, joining), ``names`` and ``dates`` (what members type;
pure), ``catalog`` (skills per workspace), ``skills`` (teach, learn, drop, who), ``profile``
(the profile form, pause, resume), ``overview`` (``me`` and the Home tab), ``leaving``,
``views`` (the plain data the builders render) and ``lookups`` (what these modules share).
Slack is asked before a unit of work opens, never inside one; nothing here posts to Slack.
"""
