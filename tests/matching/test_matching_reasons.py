"""The words of "no partner this time" (issue 17, item 4)."""

from __future__ import annotations

from bot.matching.reasons import unmatched_no_partner


def test_any_one_skill_would_do_so_they_read_as_or() -> None:
    why = unmatched_no_partner(["Danish", "Sailing"], ["Chess", "Go", "Poker"])
    assert why.startswith(
        "Nobody in this round teaches Danish or Sailing yet and nobody asked to learn "
        "Chess, Go or Poker — you have priority next round."
    )


def test_learners_are_not_told_about_a_level_they_never_chose() -> None:
    assert "level" not in unmatched_no_partner(["Danish"], [])
    assert "level" not in unmatched_no_partner([], ["Chess"])
