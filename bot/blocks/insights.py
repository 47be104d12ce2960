"""Block Kit for the leaders' insights: the short ``/skillswap stats``, the admin report DM
and the admins' App Home section. Pure functions of an :class:`Insights`."""

from __future__ import annotations

from enum import StrEnum

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.blocks.common import SECTION_TEXT_LIMIT
from bot.blocks.invitations import adoption_lines
from bot.insights import text
from bot.insights.export import ExportKind
from bot.insights.stats import Insights
from bot.slack.text import clip

FIELD_LIMIT = 2000
HEADER_LIMIT = 150


class InsightsAction(StrEnum):
    FULL_REPORT = "insights_full_report"


def _mrkdwn(value: str, limit: int = SECTION_TEXT_LIMIT) -> MarkdownTextObject:
    return MarkdownTextObject(text=clip(value, limit))


def _escape(value: str) -> str:
    """Slack's three control characters in mrkdwn (names come from members)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fields(pairs: list[tuple[str, str]]) -> SectionBlock:
    return SectionBlock(fields=[_mrkdwn(f"*{k}*\n{v}", FIELD_LIMIT) for k, v in pairs[:10]])


def _numbers(ins: Insights) -> list[tuple[str, str]]:
    """The numbers under the headline; the headline says the new connections, so they are not
    repeated here, and swaps completed sit inside the meeting rate ("5 of 8 groups")."""
    return [
        ("Pairs introduced", text.introduced(ins)),
        ("Repeat swaps", text.repeats(ins)),
        ("Members", text.participation(ins)),
        (
            "Rounds run",
            f"{ins.rounds} ({text.plural(ins.pairs_made, 'group')} formed"
            + (f", {ins.request_pairs} from requests)" if ins.request_pairs else ")"),
        ),
        ("Meeting rate", text.meeting(ins)),
        ("Booked a time", text.booking(ins)),
        ("Average rating", text.average_rating(ins)),
        *([("Discovery swaps", text.discovery(ins))] if ins.discovery_pairs else []),
    ]


def _bullets(lines: list[str], empty: str) -> str:
    return "\n".join(f"\u2022 {_escape(line)}" for line in lines) if lines else empty


def stats_text(ins: Insights) -> str:
    return (
        f"{_escape(text.headline(ins))} Members: {ins.members}. Meeting rate: {text.meeting(ins)}."
    )


def stats_blocks(ins: Insights) -> list[Block]:
    """The short summary anyone can ask for."""
    top = ", ".join(_escape(s.name) for s in ins.top_taught(3)) or "none yet"
    gaps = ", ".join(_escape(s.name) for s in ins.skill_gaps(3)) or "none"
    return [
        SectionBlock(text=_mrkdwn(f"*SkillSwap in numbers*\n{_escape(text.headline(ins))}")),
        _fields(_numbers(ins)),
        ContextBlock(
            elements=[
                _mrkdwn(f"Top skills taught: {top}  \u00b7  Wanted, too few teach: {gaps}"),
            ]
        ),
        SectionBlock(text=_mrkdwn(_adoption_text(ins))),
    ]


def _adoption_text(ins: Insights) -> str:
    numbers = ins.adoption
    return "\n".join(
        adoption_lines(
            numbers.sent,
            numbers.joined,
            [(c.channel_id, c.invited, c.joined) for c in numbers.channels],
            numbers.failed,
        )
    )


def report_text(ins: Insights) -> str:
    return f"SkillSwap report for {_escape(ins.title)}: {_escape(text.headline(ins))}"


def report_blocks(ins: Insights) -> list[Block]:
    """The admin report DM (the two pictures follow as files)."""
    latest = ins.latest_round
    if latest is None:
        latest_line = "No rounds yet."
    else:
        latest_line = (
            f"*Latest round \u2014 {text.week_of(latest.round_date)}*: "
            f"{text.plural(latest.groups, 'group')}, {latest.met} met, "
            f"{text.plural(latest.introduced, 'pair')} introduced, "
            f"{text.plural(latest.new_connections, 'new connection')} "
            f"({latest.cross_team_new_connections} across teams)"
            + (f", {text.plural(latest.discovery, 'discovery swap')}." if latest.discovery else ".")
        )
    taught = _bullets([text.taught_line(s) for s in ins.top_taught(5)], "No completed swaps yet.")
    gaps = _bullets(
        [text.gap_line(s) for s in ins.skill_gaps(5)],
        "None: every skill people want to learn has enough teachers.",
    )
    skills_map = _bullets(
        [
            f"{s.name}: {s.teachers} teach, {s.learners} want to learn, "
            f"{text.plural(s.teams, 'team')}"
            for s in ins.skills_map(8)
        ],
        "Nobody lists a skill to teach yet.",
    )
    kinds = "|".join(k.value for k in ExportKind)
    return [
        HeaderBlock(
            text=PlainTextObject(text=clip(f"SkillSwap report: {ins.title}", HEADER_LIMIT))
        ),
        SectionBlock(text=_mrkdwn(f"*{_escape(text.headline(ins))}*")),
        _fields(_numbers(ins)),
        DividerBlock(),
        SectionBlock(text=_mrkdwn(latest_line)),
        SectionBlock(text=_mrkdwn(_adoption_text(ins))),
        SectionBlock(text=_mrkdwn(f"*Top skills taught*\n{taught}")),
        SectionBlock(text=_mrkdwn(f"*Skills people here teach* \u2014 across teams\n{skills_map}")),
        SectionBlock(
            text=_mrkdwn(
                f"*Skill gaps* \u2014 wanted by many, taught by too few\n{gaps}\n"
                "_A gap is a chance: someone may teach it if asked, or it may be worth a "
                "course._"
            )
        ),
        ContextBlock(
            elements=[
                _mrkdwn(
                    "The connection network and rounds over time follow. Private feedback is "
                    f"never shown, only counts and averages. CSV: `/skillswap export {kinds}`."
                )
            ]
        ),
    ]


def home_blocks(ins: Insights) -> list[Block]:
    """The admins' App Home section: headline numbers and a button for the full report."""
    return [
        HeaderBlock(text=PlainTextObject(text="Insights")),
        SectionBlock(text=_mrkdwn(_escape(text.headline(ins)))),
        _fields(
            [
                ("Pairs introduced", text.introduced(ins)),
                ("Members", text.participation(ins)),
                ("Meeting rate", text.meeting(ins)),
            ]
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Send me the full report",
                    action_id=InsightsAction.FULL_REPORT.value,
                    style="primary",
                )
            ]
        ),
        ContextBlock(elements=[_mrkdwn("Only SkillSwap admins see this section.")]),
    ]


def message_blocks(message: str) -> list[Block]:
    return [SectionBlock(text=_mrkdwn(message))]


def export_comment(kind: ExportKind, ins: Insights) -> str:
    notes = {
        ExportKind.MEMBERS: f"{text.plural(ins.members, 'member')} (people who left are "
        "not included)",
        ExportKind.SKILLS: f"{text.plural(len(ins.skills), 'skill')} with teachers, learners "
        "and gaps",
        ExportKind.ROUNDS: f"{text.plural(ins.rounds, 'round')}",
        ExportKind.FEEDBACK: "feedback per round as counts and averages only (no comments, "
        "no names)",
        ExportKind.INVITATIONS: f"{text.plural(ins.adoption.sent, 'invitation')} sent, "
        f"{ins.adoption.joined} joined from one, per channel (counts only, no names)",
    }
    return f"SkillSwap export: {notes[kind]}."
