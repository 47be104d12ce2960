"""New connections first: consent for repeats, discovery swaps, teach/learn balance.

The strict priority itself is proven against exact solvers in ``test_matching_properties``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.matching import GroupKind, MatchResult, PastPairing, check, match
from tests.matching.matching_kit import ROUND, inp, member


def pairs(result: MatchResult) -> set[frozenset[str]]:
    return {frozenset(g.members) for g in result.groups}


def test_a_new_one_way_lesson_beats_a_chosen_repeat_swap() -> None:
    # A and B would love to swap again (both said yes); C can teach A something new.
    a = member("A", {"Spanish": 3}, {"SQL": 1, "Chess": 1}, team="X")
    b = member("B", {"SQL": 3}, {"Spanish": 1}, team="Y")
    c = member("C", {"Chess": 1}, {}, team="Z")
    old = PastPairing(frozenset({"A", "B"}), ROUND - timedelta(weeks=20), frozenset({"A", "B"}))
    w = inp(a, b, c, history=(old,))
    r = match(w)
    assert check(w, r) == []
    assert pairs(r) == {frozenset({"A", "C"})}
    (g,) = r.groups
    assert g.kind is GroupKind.ONE_WAY and g.new_connection
    assert r.stats.repeats == 0 and r.stats.new_connections == 1


def test_repeat_needs_the_latest_answer_of_both() -> None:
    a = member("A", {"Spanish": 3}, {"SQL": 1})
    b = member("B", {"SQL": 3}, {"Spanish": 1})
    yes = PastPairing(frozenset({"A", "B"}), ROUND - timedelta(weeks=30), frozenset({"A", "B"}))
    no_later = PastPairing(frozenset({"A", "B"}), ROUND - timedelta(weeks=12), frozenset({"A"}))
    assert match(inp(a, b, history=(yes,))).stats.repeats == 1
    # Their latest swap changed B's mind.
    r = match(inp(a, b, history=(yes, no_later)))
    assert r.groups == ()
    assert {u.member for u in r.unmatched} == {"A", "B"}


def test_balance_one_who_only_taught_learns_first() -> None:
    teacher = member("T", {"Python": 3}, {}, team="X")
    giver = member("G", {}, {"Python": 1}, team="Y", taught=4, learned=0)
    taker = member("K", {}, {"Python": 1}, team="Z", taught=0, learned=4)
    # G and K can't share a group, so T teaches one of them: without the counts a coin toss.
    for seed in range(6):
        r = match(inp(teacher, taker, giver, dnp=(("G", "K"),)), seed=seed)
        assert pairs(r) == {frozenset({"T", "G"})}


def test_balance_picks_the_direction_that_evens_out() -> None:
    # X can teach both Y and Z one-way; only the learner matters: Y has taught a lot.
    x = member("X", {"Go": 2}, {}, team="A", taught=0, learned=3)
    y = member("Y", {}, {"Go": 1}, team="B", taught=3, learned=0)
    z = member("Z", {}, {"Go": 1}, team="C", taught=0, learned=0)
    for seed in range(6):
        r = match(inp(x, y, z, dnp=(("Y", "Z"),)), seed=seed)
        assert pairs(r) == {frozenset({"X", "Y"})}


def test_discovery_swap_when_skills_run_out() -> None:
    # A and D have no lesson with anyone; they never met and work in different teams.
    a = member("A", {"Knitting": 1}, {"Rust": 1}, team="Ops")
    b = member("B", {"Spanish": 3}, {"SQL": 1}, team="Data")
    c = member("C", {"SQL": 3}, {"Spanish": 1}, team="Data")
    d = member("D", {"Chess": 2}, {"Piano": 1}, team="Sales")
    w = inp(a, b, c, d, discovery=True)
    r = match(w)
    assert check(w, r) == []
    assert r.unmatched == ()
    disc = [g for g in r.groups if g.kind is GroupKind.DISCOVERY]
    assert [set(g.members) for g in disc] == [{"A", "D"}]
    assert disc[0].teaches == () and disc[0].new_connection and disc[0].cross_team
    assert "each pick one thing to show the other" in disc[0].reason
    assert r.stats.discovery == 1 and r.stats.new_connections == 1
    # The workspace can turn discovery swaps off: then A and D sit out with a skills reason.
    off = match(inp(a, b, c, d, discovery=False))
    assert {u.member for u in off.unmatched} == {"A", "D"}
    assert "Rust" in {u.member: u.why for u in off.unmatched}["A"]


def test_no_discovery_within_a_team_or_with_someone_met_or_out_of_hours() -> None:
    a = member("A", {"Knitting": 1}, {"Rust": 1}, team="Ops")
    same_team = member("B", {"Chess": 2}, {"Piano": 1}, team="Ops")
    r = match(inp(a, same_team, discovery=True))
    assert r.groups == ()
    why = {u.member: u.why for u in r.unmatched}
    assert "Nobody from another team you haven't met yet shares your working hours" in why["A"]
    met = member("M", {"Chess": 2}, {"Piano": 1}, team="Sales")
    old = PastPairing(frozenset({"A", "M"}), ROUND - timedelta(weeks=30))
    assert match(inp(a, met, history=(old,), discovery=True)).groups == ()
    far = member("F", {"Chess": 2}, {"Piano": 1}, team="Sales", tz="America/Los_Angeles")
    near = member("N", {"Chess": 2}, {"Piano": 1}, team="Sales", tz="Asia/Kolkata")
    assert match(inp(far, near, discovery=True)).groups == ()


def test_the_odd_one_out_joins_a_pair_of_strangers_as_a_guest() -> None:
    a = member("A", {"Spanish": 3}, {"SQL": 1}, team="X")
    b = member("B", {"SQL": 3}, {"Spanish": 1}, team="Y")
    g = member("G", {"Knitting": 1}, {"Rust": 1}, team="Z")
    w = inp(a, b, g, discovery=True)
    r = match(w)
    assert check(w, r) == []
    (grp,) = r.groups
    assert set(grp.members) == {"A", "B", "G"} and grp.guest == "G"
    assert grp.kind is GroupKind.TRIO and grp.new_connection
    assert "<@G> joins as a discovery guest" in grp.reason
    # A guest never turns a group of strangers into a reunion.
    met = PastPairing(frozenset({"A", "G"}), ROUND - timedelta(weeks=30))
    r2 = match(inp(a, b, g, history=(met,), discovery=True))
    assert pairs(r2) == {frozenset({"A", "B"})}
    assert "odd one out" in r2.unmatched[0].why


def test_a_guest_may_share_a_team_with_one_of_the_pair() -> None:
    a = member("A", {"Spanish": 3}, {"SQL": 1}, team="X")
    b = member("B", {"SQL": 3}, {"Spanish": 1}, team="Y")
    g = member("G", {"Knitting": 1}, {"Rust": 1}, team="Y")
    w = inp(a, b, g, discovery=True)
    r = match(w)
    assert check(w, r) == []
    (grp,) = r.groups
    assert grp.guest == "G" and r.unmatched == ()
    # From the team of both: no guest seat (nobody from another team is free).
    r2 = match(inp(a, replace(b, team="X"), replace(g, team="X"), discovery=True))
    assert pairs(r2) == {frozenset({"A", "B"})}
    assert [u.member for u in r2.unmatched] == ["G"]
    assert "Nobody from another team" in r2.unmatched[0].why


def test_pairs_of_strangers_re_form_to_seat_the_odd_one_out() -> None:
    # A-B and C-D swap (the best fit). G, from New York, shares hours with A and C in Madrid
    # but not with B and D in Kolkata: no seat beside either pair as they are. A-C and B-D
    # are lessons too, so the pairs re-form as A-C with G as their guest, and B-D: everyone
    # has a group and no group of strangers with a lesson is lost.
    a = member("A", {"Spanish": 3, "Chess": 3}, {"SQL": 1}, team="Ops")
    b = member("B", {"SQL": 3, "Piano": 3}, {"Spanish": 1}, team="Data", tz="Asia/Kolkata")
    c = member("C", {"Go": 3}, {"Rust": 1, "Chess": 1}, team="Sales")
    d = member("D", {"Rust": 3}, {"Go": 1, "Piano": 1}, team="Legal", tz="Asia/Kolkata")
    g = member("G", {"Knitting": 1}, {"Origami": 1}, team="Design", tz="America/New_York")
    w = inp(a, b, c, d, g, discovery=True)
    r = match(w)
    assert check(w, r) == []
    assert r.unmatched == ()
    assert pairs(r) == {frozenset({"A", "C", "G"}), frozenset({"B", "D"})}
    assert r.stats.new_connections == 2
    (trio,) = [grp for grp in r.groups if len(grp.members) == 3]
    assert trio.guest == "G"
    # Without that second lesson the pairs stay, and G is the odd one out.
    c2 = member("C", {"Go": 3}, {"Rust": 1}, team="Sales")
    r2 = match(inp(a, b, c2, d, g, discovery=True))
    assert pairs(r2) == {frozenset({"A", "B"}), frozenset({"C", "D"})}
    assert [u.member for u in r2.unmatched] == ["G"]


def test_checker_catches_an_unchosen_repeat_and_a_bad_discovery() -> None:
    a = member("A", {"Spanish": 3}, {"SQL": 1}, team="X")
    b = member("B", {"SQL": 3}, {"Spanish": 1}, team="Y")
    w = inp(a, b)
    r = match(w)
    old = PastPairing(frozenset({"A", "B"}), ROUND - timedelta(weeks=20))
    assert any("without both choosing" in e for e in check(replace(w, history=(old,)), r))
    same = inp(member("A", {"Go": 1}, {}, team="X"), member("B", {"Go": 1}, {}, team="X"))
    fake = replace(r, groups=(replace(r.groups[0], kind=GroupKind.DISCOVERY, teaches=()),))
    assert any("discovery" in e for e in check(same, fake))


def test_a_group_of_three_splits_to_seat_someone_whose_only_new_colleague_hosts_a_guest() -> None:
    # A-B swap and G (Dubai) is their guest. L (New York) shares working hours only with A,
    # and A could teach L Spanish: L's one new colleague in their hours hosts a guest. The
    # group splits: L learns from A, and B and G stay together as a discovery swap. Everyone
    # is seated and the new lesson group is kept.
    a = member("A", {"Spanish": 3}, {"SQL": 1}, team="X")
    b = member("B", {"SQL": 3}, {"Spanish": 1}, team="Y", tz="Asia/Kolkata")
    g = member("G", {"Knitting": 1}, {"Origami": 1}, team="Z", tz="Asia/Dubai")
    lesson = member("L", {"Chess": 1}, {"Spanish": 1}, team="W", tz="America/New_York")
    w = inp(a, b, g, lesson, discovery=True)
    r = match(w)
    assert check(w, r) == []
    assert r.unmatched == ()
    assert pairs(r) == {frozenset({"A", "L"}), frozenset({"B", "G"})}
    kinds = {frozenset(grp.members): grp.kind for grp in r.groups}
    assert kinds[frozenset({"A", "L"})] is GroupKind.ONE_WAY
    assert kinds[frozenset({"B", "G"})] is GroupKind.DISCOVERY
    assert r.stats.new_connections == 1 and r.stats.discovery == 1


def test_a_split_that_costs_a_lesson_group_comes_out_of_the_give_way_share() -> None:
    # As above, but L (left out last round) has no lesson with A: seating L turns the lesson
    # group into two discovery swaps. Only the give-way share (2 %, none of one group) allows
    # it; with a larger share L is seated first.
    a = member("A", {"Spanish": 3}, {"SQL": 1}, team="X")
    b = member("B", {"SQL": 3}, {"Spanish": 1}, team="Y", tz="Asia/Kolkata")
    g = member("G", {"Knitting": 1}, {"Origami": 1}, team="Z", tz="Asia/Dubai")
    alone = member("L", {"Chess": 1}, {"Go": 1}, team="W", tz="America/New_York")
    w = inp(a, b, g, replace(alone, unmatched_streak=1), discovery=True)
    r = match(w)
    assert check(w, r) == []
    assert pairs(r) == {frozenset({"A", "B", "G"})}
    assert [u.member for u in r.unmatched] == ["L"]
    roomy = replace(w, settings=replace(w.settings, give_way=1.0))
    r2 = match(roomy)
    assert check(roomy, r2) == []
    assert r2.unmatched == ()
    assert pairs(r2) == {frozenset({"A", "L"}), frozenset({"B", "G"})}
    assert r2.stats.discovery == 2 and r2.stats.new_connections == 0
