"""Insights in Slack, through signed requests to the real app and the Slack simulator:
``/skillswap stats``, ``report`` and ``export``, and the admins' App Home section."""

from __future__ import annotations

import csv
import io

import pytest
from PIL import Image
from sqlalchemy import select

from bot.blocks.insights import InsightsAction
from bot.handlers import collect
from bot.handlers.insights import NOT_ADMIN_HOME, PREPARING, home_section
from bot.sim import RecordedCall
from bot.slack.clients import make_client
from bot.store.models import Workspace
from bot.workspaces.admins import is_admin
from tests.insights import insights_kit as sc
from tests.support import TEAM, Harness, shown_text

ADMIN = "U_ANA"
MEMBER = "U_BEN"
SLOW = 30.0  # rendering and uploading take a second or two; CI machines can be slow
REFUSAL = "Only SkillSwap admins can do that"


@pytest.fixture
def slack(harness: Harness, scenario: sc.Built) -> Harness:
    harness.sim.add_user(TEAM, ADMIN, name="ana", real_name="Ana Lima", is_admin=True)
    harness.sim.add_user(TEAM, MEMBER, name="ben", real_name="Ben Okafor")
    return harness


def _png_size(content: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "PNG"
        size: tuple[int, int] = image.size
        return size


def test_stats_is_a_short_ephemeral_summary_for_anyone(slack: Harness) -> None:
    sent = slack.send_command(MEMBER, "stats")
    reply = sent.reply("new connections")
    slack.drain()
    assert reply["response_type"] == "ephemeral"
    shown = shown_text(reply["blocks"])
    for snippet in (
        "SkillSwap has made 3 new connections (1 across teams).",
        "*Pairs introduced*\n8 (3 of them met)",
        "*Repeat swaps*\n2 (met again twice by choice)",
        "*Members*\n6 (5 active, 1 paused)",
        "*Rounds run*\n4 (10 groups formed)",
        "*Meeting rate*\n63% (5 of 8 groups)",
        "*Average rating*\n3.6 / 5 (5 ratings)",
        "*Discovery swaps*\n1 (0 met)",
        "Top skills taught: Drawing, Python, Spanish",
        "Wanted, too few teach: Guitar, Python",
    ):
        assert snippet in shown, snippet
    # Each number is said once: the headline's new connections are not a field again, and the
    # swaps completed live in the meeting rate.
    assert "*New connections*" not in shown and "*Swaps completed*" not in shown
    assert "2026-W" not in shown
    assert "Cobol" not in shown and sc.LEFT_NAME not in shown  # other workspace, leaver
    assert slack.sim.calls_to("files.getUploadURLExternal") == []


@pytest.mark.parametrize("text", ["report", "export members", "export feedback"])
def test_admin_commands_refuse_members_politely(slack: Harness, text: str) -> None:
    sent = slack.send_command(MEMBER, text)
    slack.drain()
    [reply] = sent.replies()
    assert REFUSAL in reply["text"] and reply["response_type"] == "ephemeral"
    assert "Ask one of them" in reply["text"]
    # The refusal is the end of it: nothing opened, posted or uploaded.
    assert slack.sim.calls_to("conversations.open") == []
    assert slack.sim.calls_to("chat.postMessage") == []
    assert slack.sim.calls_to("files.getUploadURLExternal") == []


def _assert_report_in_dm(h: Harness, user_id: str) -> None:
    dm = h.sim.dm_channel_id(TEAM, user_id)
    h.sim.wait_for("files.completeUploadExternal", timeout=SLOW)
    h.drain()
    posted = [m for m in h.sim.messages(dm) if m.get("blocks")]
    assert len(posted) == 1
    shown = shown_text(posted[0]["blocks"])
    assert "SkillSwap report: Acme & Co" in shown
    assert (
        "*Latest round — week of 7 Dec*: 2 groups, 0 met, 2 pairs introduced, "
        "0 new connections (0 across teams)." in shown
    )
    assert "2026-W" not in shown
    assert "Guitar: 3 want to learn, nobody teaches it" in shown
    assert "Spanish (3 lessons)" in shown
    files = h.sim.uploaded_files()
    assert [f.filename for f in files] == ["skillswap-connections.png", "skillswap-rounds.png"]
    assert all(f.channels == (dm,) for f in files)
    assert _png_size(files[0].content) == (1200, 780)
    assert _png_size(files[1].content) == (1200, 600)
    # Slack's current flow: one upload URL per file (with alt text), then one completion.
    urls = h.sim.calls_to("files.getUploadURLExternal")
    assert [c.params["filename"] for c in urls] == [f.filename for f in files]
    assert "Connection network of 6 members in 3 teams" in urls[0].params["alt_txt"]
    assert len(h.sim.calls_to("files.completeUploadExternal")) == 1


def test_report_arrives_in_the_admins_dm_with_two_pictures(slack: Harness) -> None:
    sent = slack.send_command(ADMIN, "report")
    assert sent.reply("Putting your SkillSwap report together")["text"] == PREPARING
    _assert_report_in_dm(slack, ADMIN)


def test_report_upload_refused_by_slack_is_explained(slack: Harness) -> None:
    slack.sim.fail_next("files.completeUploadExternal", "missing_scope")
    sent = slack.send_command(ADMIN, "report")
    reply = sent.reply("missing a Slack permission")
    slack.drain()
    assert "reinstall" in reply["text"]
    assert slack.sim.uploaded_files() == []


def _uploaded_csv(h: Harness) -> tuple[str, list[list[str]]]:
    h.sim.wait_for("files.completeUploadExternal", timeout=SLOW)
    [upload] = h.sim.uploaded_files()
    assert upload.channels == (h.sim.dm_channel_id(TEAM, ADMIN),)
    assert upload.content.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    text = upload.content.decode("utf-8-sig")
    return upload.filename, list(csv.reader(io.StringIO(text)))


def test_export_members_leaves_out_who_left_and_defuses_formulas(slack: Harness) -> None:
    sent = slack.send_command(ADMIN, "export members")
    reply = sent.reply("is in your DM")
    name, rows = _uploaded_csv(slack)
    assert name == "skillswap-members-T0001-2026-12-07.csv"
    assert f"`{name}`" in reply["text"] and "(6 rows)" in reply["text"]
    header, *body = rows
    assert header == [
        "slack_user_id",
        "display_name",
        "team",
        "status",
        "cadence",
        "joined_on",
        "teaches",
        "wants_to_learn",
        "swaps_completed",
        "connections",
    ]
    by_id = {row[0]: row for row in body}
    assert sorted(by_id) == ["U_ANA", "U_BEN", "U_CAI", "U_DEE", "U_EVE", "U_FAY"]
    assert by_id["U_ANA"] == [
        "U_ANA", "Ana Lima", "Design", "active", "every_round", "2026-11-01",
        "Spanish", "Python; SQL", "3", "3",
    ]  # fmt: skip
    assert by_id["U_DEE"][3] == "paused" and by_id["U_DEE"][8:] == ["1", "1"]
    assert by_id["U_FAY"][1:3] == ["'" + sc.FORMULA_NAME, ""]
    assert by_id["U_FAY"][8:] == ["1", "2"]


def test_export_feedback_is_per_round_counts_without_text_or_names(slack: Harness) -> None:
    sent = slack.send_command(ADMIN, "export feedback")
    sent.reply("is in your DM")
    _, rows = _uploaded_csv(slack)
    assert rows == [
        [
            "week",
            "period",
            "round_date",
            "responses",
            "average_rating",
            "would_swap_again_yes",
            "would_swap_again_no",
        ],
        ["week of 16 Nov 2026", "2026-W47", "2026-11-16", "3", "4.0", "2", "1"],
        # one response could point at a person
        ["week of 23 Nov 2026", "2026-W48", "2026-11-23", "1", "", "", ""],
        ["week of 30 Nov 2026", "2026-W49", "2026-11-30", "1", "", "", ""],
        ["week of 7 Dec 2026", "2026-W50", "2026-12-07", "0", "", "", ""],
    ]
    [upload] = slack.sim.uploaded_files()
    assert upload.initial_comment is not None and "no comments, no names" in upload.initial_comment


def test_export_of_something_unknown_says_what_is_possible(slack: Harness) -> None:
    sent = slack.send_command(ADMIN, "export passwords")
    slack.drain()
    [reply] = sent.replies()
    assert "choose members, skills, rounds, feedback or invitations" in reply["text"]
    assert slack.sim.calls_to("files.getUploadURLExternal") == []


def test_help_lists_stats_for_everyone(slack: Harness) -> None:
    reply = slack.command(MEMBER, "help")
    shown = shown_text(reply["blocks"])
    assert "`stats`" in shown
    # Admin subcommands are shown to admins only (and refused to members anyway).
    assert "`report`" not in shown and "Admins:" not in shown
    admin_help = shown_text(slack.command(ADMIN, "help")["blocks"])
    admins_line = next(line for line in admin_help.splitlines() if "Admins:" in line)
    assert "`report`" in admins_line and "`export`" in admins_line


def test_home_section_is_for_admins_and_its_button_sends_the_report(slack: Harness) -> None:
    deps = slack.deps
    assert home_section in collect("HOME_SECTIONS")
    client = make_client(deps)
    admin = is_admin(deps, client, team_id=TEAM, user_id=ADMIN)
    member = is_admin(deps, client, team_id=TEAM, user_id=MEMBER)
    with deps.unit_of_work() as session:
        for_admin = home_section(
            session=session, deps=deps, team_id=TEAM, user_id=ADMIN, admin=admin
        )
        for_member = home_section(
            session=session, deps=deps, team_id=TEAM, user_id=MEMBER, admin=member
        )
    assert for_member == []
    blocks = [b.to_dict() for b in for_admin]
    shown = shown_text(blocks)
    assert "8 (3 of them met)" in shown and "63% (5 of 8 groups)" in shown
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == [InsightsAction.FULL_REPORT.value]

    home = {"id": "VHOME0001", "type": "home", "team_id": TEAM}
    slack.click(ADMIN, buttons[0], view=home)
    _assert_report_in_dm(slack, ADMIN)


def test_home_button_from_a_former_admin_gets_a_polite_dm(slack: Harness) -> None:
    home = {"id": "VHOME0002", "type": "home", "team_id": TEAM}
    slack.click(MEMBER, {"action_id": InsightsAction.FULL_REPORT.value}, view=home)
    dm = slack.sim.dm_channel_id(TEAM, MEMBER)

    def to_member(call: RecordedCall) -> bool:
        return call.params.get("channel") == dm

    slack.drain()
    [call] = [c for c in slack.sim.calls_to("chat.postMessage") if to_member(c)]
    assert call.params["text"] == NOT_ADMIN_HOME
    assert slack.sim.calls_to("files.getUploadURLExternal") == []


def test_report_learns_the_workspace_name_from_slack(slack: Harness) -> None:
    """Single-workspace installs store no name: the first report asks auth.test for it."""
    with slack.deps.unit_of_work() as session:
        workspace = session.scalars(select(Workspace).where(Workspace.team_id == TEAM)).one()
        workspace.name = None
    slack.sim.add_team(TEAM, name="Brightwater Labs")
    slack.send_command(ADMIN, "report")
    slack.drain()
    dm = slack.sim.dm_channel_id(TEAM, ADMIN)
    posted = [m for m in slack.sim.messages(dm) if m.get("blocks")]
    assert "SkillSwap report: Brightwater Labs" in shown_text(posted[0]["blocks"])
    with slack.deps.unit_of_work() as session:
        workspace = session.scalars(select(Workspace).where(Workspace.team_id == TEAM)).one()
        assert workspace.name == "Brightwater Labs"
