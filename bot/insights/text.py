"""Words and number formats shared by every insights surface (Slack, HTML, CLI), so the
numbers read the same everywhere. ``DEFINITIONS`` is the text the README carries too."""

from __future__ import annotations

import math
from datetime import date, timedelta

from bot.insights.stats import (
    GAP_LEARNERS_PER_TEACHER,
    GAP_MIN_LEARNERS,
    MIN_RATINGS_SHOWN,
    Insights,
    SkillSummary,
)

DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Members",
        "People who joined SkillSwap and have not left: active (in the next round) plus "
        "paused. Nothing of a member who left is kept or counted.",
    ),
    ("Rounds run", "Pairing rounds started in this workspace."),
    (
        "Pairs made",
        "Groups formed across all rounds (a trio or circle counts once); groups whose "
        "introduction could not be delivered are left out.",
    ),
    (
        "Swaps completed",
        "Groups that met: marked met, or at least one member answered \u201cWe met\u201d.",
    ),
    (
        "Meeting rate",
        "Swaps completed \u00f7 groups asked, where groups asked are the groups of rounds "
        "whose check-in has gone out (plus any group that already said it met), so a round "
        "that just started does not pull the rate down.",
    ),
    (
        "Booked a time",
        "Groups that booked a slot with \u201cPick a time\u201d \u00f7 groups formed; the "
        "median days from the introduction to the booked slot; and the meeting rate of "
        "booked groups beside that of the others (groups asked only).",
    ),
    (
        "Average rating",
        f"Mean of the 1\u20135 ratings members gave their swaps; shown from "
        f"{MIN_RATINGS_SHOWN} ratings on, so no one's rating can be singled out.",
    ),
    (
        "New connections",
        "Pairs of people who met: in a group that met (marked met, or someone answered "
        "\u201cWe met\u201d), counted once per pair, in the round they first met (a trio "
        "that met is three pairs); \u201cacross teams\u201d when both have a team and the "
        "teams differ.",
    ),
    (
        "Pairs introduced",
        "Pairs of people put in a group together at least once, whether or not they met.",
    ),
    (
        "Repeat swaps",
        "Pairs of people who met in two or more rounds, or met again after choosing "
        "\u201cMeet again\u201d on a check-in: ties that last.",
    ),
    (
        "Discovery swaps",
        "Groups of new colleagues from different teams paired without a fitting lesson "
        "(their skills had run out), each showing the other one thing; counted among the "
        "groups formed, and as met like any other group.",
    ),
    ("Top skills taught", "Skills of the lessons in groups that met, most often first."),
    (
        "Skill gaps",
        f"Skills at least {GAP_MIN_LEARNERS} members want to learn with fewer than one "
        f"teacher per {GAP_LEARNERS_PER_TEACHER} learners (no teacher at all first).",
    ),
)


def percent(value: float | None) -> str:
    """Whole percent, halves rounded up (5/8 reads 63%, as a person would round it)."""
    return "\u2014" if value is None else f"{math.floor(value * 100 + 0.5)}%"


def rating(value: float | None) -> str:
    return "\u2014" if value is None else f"{value:.1f} / 5"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def repeats(ins: Insights) -> str:
    """Repeat swaps (ties that last), with the meetings that came from Meet again."""
    if not ins.met_again:
        return str(ins.repeat_swaps)
    return f"{ins.repeat_swaps} (met again {times(ins.met_again)} by choice)"


def times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def discovery(ins: Insights) -> str:
    """Discovery swaps: new colleagues paired without a fitting lesson, and how many met."""
    return f"{ins.discovery_pairs} ({ins.discovery_swaps_completed} met)"


def participation(ins: Insights) -> str:
    return f"{ins.members} ({ins.active} active, {ins.paused} paused)"


def meeting(ins: Insights) -> str:
    if ins.meeting_rate is None:
        return "\u2014 (no check-ins yet)"
    return f"{percent(ins.meeting_rate)} ({ins.swaps_completed} of {ins.groups_asked} groups)"


def booking(ins: Insights) -> str:
    """ "25% (3 of 12 groups), slot 1.5 days after the intro; met: 80% booked, 40% not"."""
    if ins.booked_share is None:
        return "\u2014 (no groups yet)"
    line = f"{percent(ins.booked_share)} ({ins.booked} of {plural(ins.pairs_made, 'group')})"
    if ins.median_days_to_slot is not None:
        line += f", slot {ins.median_days_to_slot:.1f} days after the intro (median)"
    if ins.booked_asked and ins.unbooked_asked:
        line += (
            f"; met: {percent(ins.meeting_rate_booked)} booked, "
            f"{percent(ins.meeting_rate_unbooked)} not"
        )
    return line


def average_rating(ins: Insights) -> str:
    if ins.average_rating is None:
        if ins.ratings:
            return f"\u2014 (fewer than {MIN_RATINGS_SHOWN} ratings)"
        return "\u2014 (no ratings yet)"
    return f"{rating(ins.average_rating)} ({plural(ins.ratings, 'rating')})"


def connections(ins: Insights) -> str:
    return f"{ins.new_connections} ({ins.cross_team_new_connections} across teams)"


def introduced(ins: Insights) -> str:
    return f"{ins.pairs_introduced} ({ins.new_connections} of them met)"


def week_of(day: date) -> str:
    """``"week of 7 Dec"``: the Monday of the week ``day`` falls in, as people read it."""
    monday = day - timedelta(days=day.weekday())
    return f"week of {monday.day} {monday:%b}"


def week_of_long(day: date) -> str:
    """``"week of 7 Dec 2026"``, where rounds of several years sit side by side."""
    monday = day - timedelta(days=day.weekday())
    return f"week of {monday.day} {monday:%b %Y}"


def gap_line(skill: SkillSummary) -> str:
    teachers = "nobody teaches it" if skill.teachers == 0 else plural(skill.teachers, "teacher")
    return f"{skill.name}: {skill.learners} want to learn, {teachers}"


def taught_line(skill: SkillSummary) -> str:
    return f"{skill.name} ({plural(skill.taught, 'lesson')})"


def headline(ins: Insights) -> str:
    """One sentence about what matters most: the connections (pairs who met)."""
    if ins.new_connections == 0:
        if ins.pairs_introduced:
            return (
                f"{plural(ins.pairs_introduced, 'pair')} introduced so far; new connections "
                "show here once people say they met."
            )
        return "No connections yet: they will show here after the first round."
    latest = ins.latest_round
    recent = (
        f", {latest.new_connections} of them in the {week_of(latest.round_date)}"
        if latest is not None and latest.new_connections
        else ""
    )
    return (
        f"SkillSwap has made {plural(ins.new_connections, 'new connection')}"
        f" ({ins.cross_team_new_connections} across teams){recent}."
    )
