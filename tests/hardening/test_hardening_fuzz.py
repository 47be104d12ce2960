"""Bad input, over HTTP, through the real app: a fixed corpus and hypothesis-driven fuzzing of
slash-command text and modal submissions (empty, huge, control characters, unicode, injection
strings, missing fields, wrong types). No 5xx, no traceback to the member, and input that is
rejected changes nothing stored."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.blocks.admin import AdminCallback
from bot.blocks.profile import PROFILE_CALLBACK
from bot.store.models import MemberSkill
from tests.hardening.hardening_kit import assert_no_internal_error, state_from_view
from tests.support import TEAM, Harness, diff, snapshot

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
CORPUS = [
    "",
    " ",
    "\t\n\r",
    "\x00",
    "teach \x00Python",
    "teach \u202eevil\u202c",
    "teach 🐍🐍🐍",
    "teach " + "a" * 5000,
    "teach " + ", ".join(f"s{i}" for i in range(200)),
    "teach ,,,,;;;\n\n",
    "teach <!channel> <@U0ADMIN> <https://evil.example|click>",
    "teach *bold* _it_ ~strike~ `code`",
    "teach Robert'); DROP TABLE members;--",
    "learn x' OR '1'='1",
    "who %",
    "who _",
    "who \\",
    "drop " + "\u0301" * 50,
    "pause -3 weeks",
    "pause until 31/02/2027",
    "pause 99999999999999999999 weeks",
    "pause until 0000-00-00",
    "resume now please",
    "TEACH PYTHON",
    "\uff54\uff45\uff41\uff43\uff48 Python",  # full-width "teach"
    "help " + "x" * 3000,
    "stats ../../etc/passwd",
    "export ../../../etc/passwd",
    "me \x1b[31m",
    "leave " + "\ufeff",
]
WEIRD = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp", "Mn")), max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40),
    st.sampled_from(["'", '"', ";", "--", "%", "_", "\\", "\x00", "<!here>", "\u202e", "🙂"]),
    st.builds(lambda n: "x" * n, st.integers(min_value=70, max_value=4000)),
)
# Member subcommands that always answer through the response URL (profile opens a modal).
SUBS = ["teach", "learn", "who", "drop", "remove", "pause", "resume", "me", "status", "stats"]
SUBS += ["leave", "report", "export", "admin", "help", "", "bogus"]
# Whatever the member typed, these never change stored data.
READ_ONLY = {"who", "me", "status", "stats", "leave", "help", "", "bogus", "report", "export"}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _labels_are_clean(served: Harness) -> None:
    with served.deps.engine.connect() as conn:
        labels = conn.scalars(select(MemberSkill.label)).all()
    for label in labels:
        assert 0 < len(label) <= 80, label
        assert not CONTROL.search(label), repr(label)


@pytest.mark.parametrize("text", CORPUS)
def test_corpus_of_bad_commands(served: Harness, text: str) -> None:
    answer = served.command("UALICE", text)
    served.drain()
    assert_no_internal_error(answer)
    _labels_are_clean(served)


@FUZZ
@given(sub=st.sampled_from(SUBS), rest=WEIRD)
def test_fuzzed_commands_never_fail_internally(served: Harness, sub: str, rest: str) -> None:
    engine = served.deps.engine
    before = snapshot(engine, skip=("processed_events",)) if sub in READ_ONLY else None
    answer = served.command("UBOB", f"{sub} {rest}")
    served.drain()
    assert_no_internal_error(answer)
    if before is not None:
        # Read-only subcommands (and refused admin ones) change nothing, whatever follows.
        after = snapshot(engine, skip=("processed_events",))
        changed = diff(before, after)
        # The first command a person sends may register their workspace; nothing else.
        assert set(changed) <= {"workspaces"}, changed
    _labels_are_clean(served)


# Characters that can never spell a skill. (Some punctuation and symbols do on purpose:
# "#", "&", "+", ".", "@" as in C#, R&D, C++, .NET, and NFKC folds "™" or "℃" into letters.)
NO_LETTERS = st.text(
    alphabet=st.one_of(
        st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp")),
        st.sampled_from(list("!\"$%'()*,-/:;<=>?[\\]^_`{|}~")),
    ),
    max_size=80,
)


@FUZZ
@given(rest=NO_LETTERS)
def test_skill_names_without_letters_are_rejected_and_store_nothing(
    served: Harness, rest: str
) -> None:
    engine = served.deps.engine
    before = snapshot(engine, skip=("processed_events", "workspaces"))
    answer = served.command("UCAROL", f"teach {rest}")
    served.drain()
    assert_no_internal_error(answer)
    assert diff(before, snapshot(engine, skip=("processed_events", "workspaces"))) == {}


# --------------------------------------------------------------------------- modals

WRONG_TYPES: list[Any] = [None, 7, 3.5, True, [], {}, "", "x" * 5000, {"value": None}]


@st.composite
def mutated_state(draw: st.DrawFn, base: dict[str, dict[str, dict[str, Any]]]) -> Any:
    """The modal's state with fields dropped, emptied, given weird text or the wrong type."""
    state = copy.deepcopy(base)
    for block_id in list(state):
        choice = draw(st.sampled_from(["keep", "drop", "text", "type", "option", "shape"]))
        inner = state[block_id]
        action_id = next(iter(inner), "value")
        field = inner.get(action_id) or {}
        if choice == "drop":
            del state[block_id]
        elif choice == "text":
            field["value"] = draw(WEIRD)
        elif choice == "type":
            key = draw(st.sampled_from(["value", "selected_option", "selected_options"]))
            field[key] = draw(st.sampled_from(WRONG_TYPES))
        elif choice == "option":
            field["selected_option"] = {
                "value": draw(WEIRD),
                "text": {"type": "plain_text", "text": "x"},
            }
        elif choice == "shape":
            state[block_id] = draw(st.sampled_from(WRONG_TYPES))
    if draw(st.booleans()):
        return draw(st.sampled_from([None, [], "values", 0]))
    return state


def _open_modal(served: Harness, text: str, callback_id: str, user_id: str) -> dict[str, Any]:
    served.send_command(user_id, text)
    served.sim.wait_for("views.open", predicate=lambda c: c.ok)
    return served.sim.views(callback_id)[-1]


def _submit(served: Harness, view: dict[str, Any], user_id: str, values: Any) -> Any:
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM},
        "api_app_id": "A0SKILLSWAP",
        "token": "verification_token",
        "trigger_id": served.slack.new_trigger_id(),
        "view": {**view, "state": {"values": values}},
        "response_urls": [],
        "is_enterprise_install": False,
    }
    from urllib.parse import urlencode

    from bot.sim.client import FORM

    return served.slack.post(served.url, urlencode({"payload": json.dumps(payload)}).encode(), FORM)


def _check_submission(served: Harness, reply: Any) -> None:
    assert reply.status < 500, reply.body[:300]
    assert reply.status == 200
    assert "Traceback" not in reply.body
    if reply.json is not None:
        assert isinstance(reply.json, dict)
        assert reply.json.get("response_action") in (None, "errors", "update", "clear", "push")


@pytest.fixture
def profile_view(served: Harness) -> dict[str, Any]:
    served.command("UBOB", "teach Python")
    return _open_modal(served, "profile", PROFILE_CALLBACK, "UBOB")


@FUZZ
@given(data=st.data())
def test_fuzzed_profile_submissions(
    served: Harness, profile_view: dict[str, Any], data: st.DataObject
) -> None:
    base = state_from_view(profile_view)
    values = data.draw(mutated_state(base))
    engine = served.deps.engine
    before = snapshot(engine, skip=("processed_events",))
    reply = _submit(served, profile_view, "UBOB", values)
    served.drain()
    _check_submission(served, reply)
    if reply.json and reply.json.get("response_action") == "errors":
        assert diff(before, snapshot(engine, skip=("processed_events",))) == {}
    _labels_are_clean(served)


@pytest.fixture
def settings_view(served: Harness) -> dict[str, Any]:
    served.command("UBOB", "teach Python")
    return _open_modal(served, "admin", AdminCallback.SETTINGS.value, "UADMIN")


@FUZZ
@given(data=st.data())
def test_fuzzed_admin_settings_submissions(
    served: Harness, settings_view: dict[str, Any], data: st.DataObject
) -> None:
    base = state_from_view(settings_view)
    values = data.draw(mutated_state(base))
    engine = served.deps.engine
    before = snapshot(engine, skip=("processed_events",))
    reply = _submit(served, settings_view, "UADMIN", values)
    served.drain()
    _check_submission(served, reply)
    if reply.json and reply.json.get("response_action") == "errors":
        assert diff(before, snapshot(engine, skip=("processed_events",))) == {}


@FUZZ
@given(
    action=st.sampled_from(
        [
            "member_leave_confirm",
            "member_leave_cancel",
            "member_switch_skill",
            "insights_full_report",
        ]
    ),
    value=st.one_of(WEIRD, st.just('{"u": 1}'), st.just("{}"), st.just('{"d":"x","f":"a"}')),
)
def test_fuzzed_button_values(served: Harness, action: str, value: str) -> None:
    engine = served.deps.engine
    served.command("UALICE", "teach Python")
    before = snapshot(engine, skip=("processed_events",))
    served.click("UBOB", action, value=value)
    served.drain()
    # Bob never asked to leave and owns no skill: a forged value changes nothing of Alice's.
    after = snapshot(engine, skip=("processed_events",))
    assert [r for r in after["member_skills"]] == before["member_skills"]
