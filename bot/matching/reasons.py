"""Short, warm sentences about a group or about why someone sits this round out."""

from __future__ import annotations

from collections.abc import Sequence

from bot.matching.model import GroupKind, Teach


def mention(member_id: str) -> str:
    return f"<@{member_id}>"


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def group_reason(
    kind: GroupKind,
    teaches: Sequence[Teach],
    *,
    new_connection: bool,
    teams: Sequence[str | None],
    repeat_count: int = 0,
    little_overlap: bool = False,
) -> str:
    lessons = "; ".join(
        f"{mention(t.from_id)} teaches {mention(t.to_id)} {t.skill_label}" for t in teaches
    )
    parts = [lessons + "."]
    if kind is GroupKind.CIRCLE:
        parts.insert(0, "A swap circle!")
    known = [t for t in teams if t]
    distinct = list(dict.fromkeys(known))
    cross = len(distinct) >= 2
    if new_connection and cross:
        parts.append(
            f"You've never been paired before and work in different teams ({', '.join(distinct)})."
        )
    elif new_connection:
        parts.append("You've never been paired before.")
    elif cross:
        parts.append(f"You work in different teams ({', '.join(distinct)}).")
    if repeat_count and not new_connection:
        parts.append("You've met before — a good moment to go deeper.")
    if little_overlap:
        parts.append("Your working hours overlap only a little, so pick a slot early.")
    return " ".join(parts)


def unmatched_no_skills() -> str:
    return (
        "You haven't added a skill yet — tell me one thing you can teach or want to learn "
        "and you'll have priority next round."
    )


def _either(items: Sequence[str]) -> str:
    """ "Danish", "Danish or Sailing", "Danish, Sailing or Chess": any one of them would do."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def unmatched_no_partner(wants: Sequence[str], offers: Sequence[str]) -> str:
    """Nobody fits: nobody teaches any of what they want, nobody wants any of what they teach.

    No "at your level": learners choose no level, and a teacher's level never rules a learner
    out."""
    bits: list[str] = []
    if wants:
        bits.append(f"nobody in this round teaches {_either(list(wants))} yet")
    if offers:
        bits.append(f"nobody asked to learn {_either(list(offers))}")
    text = " and ".join(bits) if bits else "nobody in this round fits your skills yet"
    return (
        text[0].upper()
        + text[1:]
        + " — you have priority next round. Adding another skill widens your options."
    )


def unmatched_blocked(*, met_recently: bool, no_hours: bool, not_allowed: bool) -> str:
    """Everyone whose skills fit was ruled out by a hard rule; name only the rules that did.

    ``not_allowed`` (a do-not-pair entry) is worded neutrally, so nobody learns of the entry.
    """
    causes = [
        text
        for text, applies in (
            ("met you recently", met_recently),
            ("shares no working hours with you", no_hours),
            ("can't be paired with you this time", not_allowed),
        )
        if applies
    ]
    if not causes:
        return "Nobody could be paired with you this round — you have priority next round."
    if len(causes) == 1:
        which = causes[0]
    elif len(causes) == 2:
        which = f"either {causes[0]} or {causes[1]}"
    else:
        which = f"{', '.join(causes[:-1])} or {causes[-1]}"
    return f"Everyone who could swap with you this round {which} — you have priority next round."


def discovery_reason(teams: Sequence[str | None], *, little_overlap: bool = False) -> str:
    distinct = list(dict.fromkeys(t for t in teams if t))
    parts = [
        "A discovery swap! Your skills don't line up this time, but you've never met"
        + (f" and work in different teams ({', '.join(distinct)})." if len(distinct) >= 2 else ".")
        + " Look at each other's teach lists and each pick one thing to show the other."
    ]
    if little_overlap:
        parts.append("Your working hours overlap only a little, so pick a slot early.")
    return " ".join(parts)


def guest_reason(pair_reason: str, guest_id: str) -> str:
    return (
        f"{pair_reason} {mention(guest_id)} joins as a discovery guest — you've never met, "
        "so each pick one thing from your teach list to show the others."
    )


def unmatched_no_one_new() -> str:
    return (
        "Nobody from another team you haven't met yet shares your working hours this round — "
        "you have priority next round. Adding another skill widens your options."
    )


def unmatched_odd_one_out() -> str:
    return (
        "You were the odd one out: everyone new in your working hours was already in a group "
        "this round — you have priority next round."
    )


def unmatched_taken() -> str:
    return (
        "Your possible partners were all paired with someone else this round — "
        "you have priority next round."
    )


def skipped_cadence(cadence: str) -> str:
    rhythm = "every other round" if cadence == "every_other" else "once a month"
    return f"You're on a {rhythm} rhythm, so this round is a rest — see you next time."
