"""The per-week table's oracle: the most new groups possible, exactly."""

from __future__ import annotations

from dataclasses import replace

import networkx as nx

from bot.matching import PastPairing, match
from bot.matching.synthetic import workspace
from bot.matching.weekly import Year, header, most_pairs, new_lesson_pairs, row


def test_the_oracle_is_networkx_maximum_on_never_met_lesson_pairs() -> None:
    inp = workspace(80, seed=4, past_partners=0, priority_share=0.0)
    first = match(inp)
    past = tuple(PastPairing(frozenset(g.members), inp.round_date) for g in first.groups)
    later = replace(inp, round_date=inp.round_date.replace(day=28), history=past)
    n, u, v, _swap = new_lesson_pairs(later)
    graph = nx.Graph(zip(u.tolist(), v.tolist(), strict=True))
    assert most_pairs(n, u, v) == (len(nx.max_weight_matching(graph, maxcardinality=True)), True)
    # Last round's pairs are not new pairs any more.
    met = {frozenset(g.members) for g in first.groups if len(g.members) == 2}
    ids = [m.id for m in later.members]
    assert not met & {frozenset((ids[a], ids[b])) for a, b in zip(u, v, strict=True)}


def test_a_year_flags_a_week_below_the_target() -> None:
    inp = workspace(40, seed=1, past_partners=0, priority_share=0.0)
    year = Year()
    week = year.add(inp, match(inp))
    assert week.week == 1 and week.new == week.most and year.fails == []
    assert year.first_week_swaps.startswith("week 1 reciprocal swaps:")
    assert len(row(week).split()) == len(header().split()) - 1  # "w/ opt" is two words
    # The same round with half its groups: far below the most possible, and said so.
    half = match(inp)
    short = replace(half, groups=half.groups[: len(half.groups) // 2])
    short = replace(short, stats=replace(short.stats, new_connections=len(short.groups)))
    year.add(inp, short)
    assert any(f.startswith("week 2:") and "possible" in f for f in year.fails)
    assert year.verdict().startswith("TARGETS MISSED")
