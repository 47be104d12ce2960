"""Admin commands, buttons and forms check Slack roles on the server, on every request.

The subcommand list comes from the registry, so a new admin subcommand is covered here the
day it is added. Nothing in the payload can make someone an admin: only ``users.info``
(Slack's answer), ``ADMIN_USER_IDS`` and the workspace's own admin list count.
"""

from __future__ import annotations

import json

import pytest

from bot.blocks.admin import AdminCallback
from bot.blocks.insights import InsightsAction
from bot.handlers.commands import build_registry
from bot.sim.server import RESPONSE_URL_METHOD
from bot.workspaces.admins import RecentSlackAdmins
from tests.hardening.hardening_kit import state_from_view
from tests.support import TEAM, Harness, diff, shown_text, snapshot

REFUSAL = "Only SkillSwap admins"
# Web API methods an admin command might use to act; a refused request calls none of them.
ACTING_METHODS = (
    "chat.postMessage",
    "chat.update",
    "views.open",
    "views.push",
    "views.update",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
    "conversations.open",
)


def _acting_calls(served: Harness) -> list[str]:
    return [c.method for c in served.sim.calls if c.method in ACTING_METHODS]


def _admin_subcommands(served: Harness) -> list[str]:
    registry = build_registry()
    names = [s.name for s in registry.all() if s.admin_only]
    assert names, "no admin-only subcommands registered?"
    return names


@pytest.mark.parametrize("args", ["", "members", "x' OR 1=1 --"])
def test_every_admin_subcommand_refuses_a_member(served: Harness, args: str) -> None:
    served.command("UALICE", "teach Python")
    engine = served.deps.engine
    registry = build_registry()
    for name in _admin_subcommands(served):
        sub = registry.get(name)
        assert sub is not None
        for spelled in (sub.name, *sub.aliases):
            served.sim.reset()
            before = snapshot(engine)
            reply = served.command("UBOB", f"{spelled} {args}".strip())
            served.drain()
            text = shown_text(reply)
            assert REFUSAL in text, f"/skillswap {spelled} {args}: {text[:200]!r}"
            assert _acting_calls(served) == [], spelled
            assert diff(before, snapshot(engine)) == {}, spelled


def test_payload_claims_cannot_make_an_admin(served: Harness) -> None:
    """Fields an attacker controls (user_name, is_admin in the payload) are ignored."""
    served.sim.reset()
    for name in _admin_subcommands(served):
        reply = served.slack.slash_command(
            team_id=TEAM,
            user_id="UBOB",
            user_name="admin",
            text=name,
            response_url=f"{served.sim.base_url}/response/claim-{name}",
        )
        assert reply.status == 200
    served.drain()
    texts = [shown_text(c.params) for c in served.sim.calls_to(RESPONSE_URL_METHOD)]
    assert texts and all(REFUSAL in t for t in texts)
    assert _acting_calls(served) == []


def test_an_admin_gets_through(served: Harness) -> None:
    """The refusal above is a real check, not an always-no."""
    served.command("UALICE", "teach Python")
    served.sim.reset()
    assert served.send_command("UADMIN", "admin").status == 200
    opened = served.sim.wait_for("views.open")
    assert opened[0].ok


def test_admin_role_is_checked_on_submit_too(served: Harness) -> None:
    """A member who got hold of the settings form (or forges its submission) changes nothing."""
    served.send_command("UADMIN", "admin")
    served.sim.wait_for("views.open")
    view = served.sim.views(AdminCallback.SETTINGS.value)[-1]
    values = state_from_view(view)
    engine = served.deps.engine
    before = snapshot(engine)
    reply = served.slack.view_submission(
        team_id=TEAM,
        user_id="UBOB",
        callback_id=AdminCallback.SETTINGS.value,
        values=values,
        view_id=view["id"],
    )
    assert reply.status == 200
    assert reply.json is not None and reply.json.get("response_action") == "errors"
    assert REFUSAL in json.dumps(reply.json)
    served.drain()
    assert diff(before, snapshot(engine)) == {}
    # …while the admin's own submission of the same form is accepted.
    accepted = served.slack.view_submission(
        team_id=TEAM,
        user_id="UADMIN",
        callback_id=AdminCallback.SETTINGS.value,
        values=values,
        view_id=view["id"],
    )
    assert accepted.status == 200
    assert not (accepted.json or {}).get("errors"), accepted.body[:300]


def test_full_report_button_refuses_a_member(served: Harness) -> None:
    served.command("UALICE", "teach Python")
    served.sim.reset()
    reply = served.slack.block_action(
        team_id=TEAM, user_id="UBOB", action_id=InsightsAction.FULL_REPORT.value, value=""
    )
    assert reply.status == 200
    served.drain()
    said = [shown_text(c.params) for c in served.sim.calls_to("chat.postMessage")]
    said += [shown_text(c.params) for c in served.sim.calls_to(RESPONSE_URL_METHOD)]
    assert said and all("Only SkillSwap admins" in t for t in said), said
    methods = [c.method for c in served.sim.calls]
    assert "files.getUploadURLExternal" not in methods
    assert "files.completeUploadExternal" not in methods


def test_admin_check_fails_closed_when_slack_is_down(served: Harness) -> None:
    """users.info failing (not a 429 the client retries) must not grant admin rights."""
    served.command("UALICE", "teach Python")
    served.sim.reset()
    names = _admin_subcommands(served)
    served.sim.fail_next("users.info", error="fatal_error", times=5 * len(names))  # every check
    for name in names:
        reply = served.command("UADMIN", name)
        assert REFUSAL in shown_text(reply), name
    assert _acting_calls(served) == []


def test_help_reuses_slacks_recent_answer_but_admin_commands_ask_every_time(
    served: Harness,
) -> None:
    """The help's admin line may rest on Slack's answer of the last minute (a member asking
    for help twice costs one ``users.info``); what an admin may do is asked every time."""
    served.command("UALICE", "teach Python")
    served.sim.reset()
    for _ in range(3):
        assert "Admins:" in shown_text(served.command("UADMIN", "help"))
        assert "Admins:" not in shown_text(served.command("UBOB", "help"))
    assert len(served.sim.calls_to("users.info")) == 2  # once for each of them
    served.sim.fail_next("users.info", error="fatal_error", times=5)
    assert "Admins:" in shown_text(served.command("UADMIN", "help"))  # the recent answer
    assert REFUSAL in shown_text(served.command("UADMIN", "admin"))  # Slack asked: no answer
    assert _acting_calls(served) == []


def test_slacks_recent_answers_expire() -> None:
    now = [100.0]
    recent = RecentSlackAdmins(ttl=60, limit=2, clock=lambda: now[0])
    assert recent.get(TEAM, "UADMIN") is None
    recent.put(TEAM, "UADMIN", True)
    recent.put(TEAM, "UBOB", False)
    assert (recent.get(TEAM, "UADMIN"), recent.get(TEAM, "UBOB")) == (True, False)
    now[0] += 59.9
    assert recent.get(TEAM, "UADMIN") is True
    now[0] += 0.1
    assert recent.get(TEAM, "UADMIN") is None  # a minute old: Slack is asked again
    recent.put(TEAM, "UCAROL", True)  # full: the old answers are forgotten
    assert (recent.get(TEAM, "UBOB"), recent.get(TEAM, "UCAROL")) == (None, True)
