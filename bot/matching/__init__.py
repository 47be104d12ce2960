"""The SkillSwap matching engine: plain data in, groups out.

Nothing here touches Slack, the database or the network.

Public API::

    match(inp: MatchInput, *, seed: int = 0) -> MatchResult
    check(inp: MatchInput, result: MatchResult) -> list[str]      # [] when valid
    overlap_hours(tz_a, tz_b, on: date, *, start=9, end=17) -> float
    meeting_slot(tz_a, tz_b, on: date) -> tuple[datetime, datetime] | None
    same_moment(at: datetime, tz) -> datetime
    skills.normalize_key / canonical_key / display_name_for / suggest

JSON (``skillswap match``): ``bot.matching.io.parse_input(text) -> MatchInput`` (raises
``InputError`` naming line and path), ``result_to_json(result) -> dict``.
Synthetic workspaces for previews and benchmarks: ``bot.matching.synthetic.workspace(n, seed=)``.
``skills.suggest(name, known_keys)`` returns the known *key* a misspelling is closest to.

Data: ``SkillClaim``, ``MemberInput``, ``PastPairing``, ``MatchSettings``, ``MatchInput``
in; ``MatchResult(groups, unmatched, skipped, stats)`` of ``Group``, ``Teach``,
``Unmatched`` and ``MatchStats`` out. ``GroupKind`` and ``MemberCadence`` are StrEnums.

Rules the engine applies (see ``MatchSettings`` for the weights):

* A lesson fits when the teacher's level is at least the learner's current level. A group
  needs at least one lesson; a swap (both ways) is worth far more than a one-way lesson.
* New connections first, as a strict priority: a group of people who never met outranks any
  group with a repeat, whatever the fit (its weight carries ``new_tier``, more than the fit of
  any whole matching); among as many new groups, fit decides (swap over lesson, levels,
  overlap, different teams). After the relaxation, Edmonds' blossom search grows the new
  pairs to an exact maximum-cardinality matching of the candidate pairs (members left out
  last round searched first). In a one-way lesson, the direction that evens out each member's
  lessons taught minus received (``MemberInput.taught``/``learned``) scores a little more.
* Repeats only by choice: a pair that met before may meet again (after the cooldown) only if
  both said they would (``PastPairing.again`` of their latest group) and neither has a
  never-met partner with a fitting lesson this round.
* Discovery swaps (``MatchSettings.discovery``, on by default): members left without a group
  meet a never-met colleague outside their team who shares working hours, with no lesson
  (``GroupKind.DISCOVERY``); whoever is still alone joins a group of strangers (or a
  discovery swap) as its guest (``Group.guest``: new to both, sharing their hours, from
  another team than at least one), if need be once pairs of strangers re-form along
  augmenting paths so that none is lost. Last, someone still alone may take a new colleague
  from a pair or split a group of three (the other two stay as a lesson pair or a discovery
  swap); at most ``give_way`` (2 %) of the round's groups of strangers may give way (one new
  lesson group fewer each), members left out last round first. Left out then only when
  nobody new shares their hours, or as the odd one.
* Hard constraints: one group per member; do-not-pair; no pair that met within
  ``cooldown_rounds`` rounds, where rounds ago = days ago / ``round_interval_days`` rounded to
  the nearest round; members on a slower cadence only when due (every other round: last
  paired at least 2 intervals ago, monthly: at least 28 days ago, both minus half an interval
  of slack); some shared working hours (9-17 local at the round date, neighbouring days count).
* Members with ``unmatched_streak > 0`` carry a large bonus; if still left out, one takes the
  place of a non-priority member of a pair who then gets priority next round.
* Large pools (over ``block_size``, 12,000) are solved in blocks of neighbouring time zones;
  the leftovers of all blocks are then pooled and matched again.
* Leftovers join a pair as a swap circle of three, else as a trio, else (discovery) as above,
  else are listed in ``unmatched`` with a reason. ``skipped`` lists members not due this
  round (no priority).
"""

from bot.matching.check import check
from bot.matching.engine import match
from bot.matching.model import (
    Group,
    GroupKind,
    MatchInput,
    MatchResult,
    MatchSettings,
    MatchStats,
    MemberCadence,
    MemberInput,
    PastPairing,
    SkillClaim,
    Teach,
    Unmatched,
)
from bot.matching.tz import meeting_slot, overlap_hours, same_moment

__all__ = [
    "Group",
    "GroupKind",
    "MatchInput",
    "MatchResult",
    "MatchSettings",
    "MatchStats",
    "MemberCadence",
    "MemberInput",
    "PastPairing",
    "SkillClaim",
    "Teach",
    "Unmatched",
    "check",
    "match",
    "meeting_slot",
    "overlap_hours",
    "same_moment",
]
