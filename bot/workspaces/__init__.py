"""Workspaces: installing (``install``), uninstalling (``uninstall``) and who may administer
SkillSwap in one (``admins``). Slack is asked before any unit of work opens."""
