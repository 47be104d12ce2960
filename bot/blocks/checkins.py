"""Check-ins: "Did you meet?", the reminder, the feedback modal, the pause notice.

Pure functions of plain data, built with ``slack_sdk.models``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.common import SECTION_TEXT_LIMIT, swap_name
from bot.blocks.rounds import GroupRef
from bot.kinds import CheckinAnswer, GroupKind
from bot.slack.text import clip

CHECKIN_ACTIONS_BLOCK = "checkin_actions"
FEEDBACK_TEXT_LIMIT = 1000
#: "What would you like to learn next?": a few skill names, comma-separated.
LEARN_NEXT_LIMIT = 300


class CheckinAction(StrEnum):
    MET = "checkin_met"
    SCHEDULED = "checkin_scheduled"
    NOT_YET = "checkin_not_yet"
    COULD_NOT = "checkin_could_not"

    @property
    def answer(self) -> CheckinAnswer:
        return {
            CheckinAction.MET: CheckinAnswer.MET,
            CheckinAction.SCHEDULED: CheckinAnswer.SCHEDULED,
            CheckinAction.NOT_YET: CheckinAnswer.NOT_YET,
            CheckinAction.COULD_NOT: CheckinAnswer.COULD_NOT,
        }[self]


class FeedbackCallback(StrEnum):
    FEEDBACK = "checkin_feedback"


class FeedbackField(StrEnum):
    """Block ids of the feedback modal (each input's action id is ``"value"``)."""

    RATING = "rating"
    LEARNED = "learned"
    TAUGHT = "taught"
    AGAIN = "again"
    LEARN_NEXT = "learn_next"


FIELD_ACTION = "value"

#: A booked group's answers (its "Booked, not met yet" records ``scheduled``).
BOOKED_ACTIONS = (CheckinAction.MET, CheckinAction.SCHEDULED, CheckinAction.COULD_NOT)
BOOKED_LABELS = {CheckinAction.SCHEDULED: "Booked, not met yet"}
BUTTON_LABELS = {
    CheckinAction.MET: "We met",
    CheckinAction.SCHEDULED: "Scheduled",
    CheckinAction.NOT_YET: "Not yet",
    CheckinAction.COULD_NOT: "Couldn't make it",
}
ANSWER_WORDS = {
    CheckinAnswer.MET: "met :white_check_mark:",
    CheckinAnswer.SCHEDULED: "scheduled :calendar:",
    CheckinAnswer.NOT_YET: "not yet",
    CheckinAnswer.COULD_NOT: "couldn't make it",
}
RATINGS = {
    5: "5 — brilliant",
    4: "4 — really useful",
    3: "3 — good",
    2: "2 — so-so",
    1: "1 — not for me",
}


class FeedbackMeta(BaseModel):
    """The feedback modal's ``private_metadata``: ``{"group": 42}`` (``{"g": 42}`` from modals
    opened before the field was renamed is still read)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: int = Field(validation_alias=AliasChoices("group", "g"))


@dataclass(frozen=True)
class CheckinView:
    group_id: int
    people: tuple[str, ...]  # user ids
    skills: tuple[str, ...]
    answers: tuple[tuple[str, CheckinAnswer], ...] = ()  # (user id, answer)
    reminder: bool = False
    kind: GroupKind = GroupKind.SWAP
    #: The group booked a time with "Pick a time": [We met] [Booked, not met yet]
    #: [Couldn't make it] instead of the overlapping "Scheduled" / "Not yet".
    booked: bool = False


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def checkin_text(view: CheckinView) -> str:
    mentions = _join([f"<@{u}>" for u in view.people])
    if view.reminder:
        return (
            f"A gentle nudge, {mentions}: did your {swap_name(view.kind, view.skills)} happen? "
            "One click is plenty — and if it didn't work out, that's fine too."
        )
    return f"Hi {mentions} — did you meet for your {swap_name(view.kind, view.skills)}?"


def checkin_blocks(view: CheckinView) -> list[Block]:
    value = GroupRef(group=view.group_id).model_dump_json()
    actions = BOOKED_ACTIONS if view.booked else tuple(CheckinAction)
    labels = {**BUTTON_LABELS, **BOOKED_LABELS} if view.booked else BUTTON_LABELS
    buttons = [
        ButtonElement(
            text=PlainTextObject(text=labels[action]),
            action_id=action.value,
            value=value,
            style="primary" if action is CheckinAction.MET else None,
        )
        for action in actions
    ]
    blocks: list[Block] = [
        SectionBlock(
            block_id="checkin",
            text=MarkdownTextObject(text=clip(checkin_text(view), SECTION_TEXT_LIMIT)),
        ),
        ActionsBlock(block_id=CHECKIN_ACTIONS_BLOCK, elements=buttons),
    ]
    if view.answers:
        said = "  ·  ".join(f"<@{u}>: {ANSWER_WORDS[a]}" for u, a in view.answers)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(said, 2000))]))
    return blocks


def feedback_modal(
    meta: FeedbackMeta, *, partners: tuple[str, ...], skills: tuple[str, ...]
) -> View:
    """ "How did it go?" — every field but the rating is optional."""
    with_whom = _join([f"<@{u}>" for u in partners]) or "your partner"
    about = f" ({', '.join(skills)})" if skills else ""
    options = [Option(value=str(n), text=label) for n, label in RATINGS.items()]
    return View(
        type="modal",
        callback_id=FeedbackCallback.FEEDBACK.value,
        private_metadata=meta.model_dump_json(),
        title=PlainTextObject(text="How did it go?"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Later"),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=clip(
                        f":tada: Nice one — you met {with_whom}{about}. "
                        "Two minutes of feedback helps the next swaps. "
                        "Your answers are never shown to others with your name.",
                        SECTION_TEXT_LIMIT,
                    )
                )
            ),
            InputBlock(
                block_id=FeedbackField.RATING.value,
                label=PlainTextObject(text="How useful was it?"),
                element=StaticSelectElement(
                    action_id=FIELD_ACTION,
                    placeholder=PlainTextObject(text="Pick a rating"),
                    options=options,
                ),
            ),
            InputBlock(
                block_id=FeedbackField.LEARNED.value,
                label=PlainTextObject(text="What I learned"),
                optional=True,
                element=PlainTextInputElement(
                    action_id=FIELD_ACTION,
                    multiline=True,
                    max_length=FEEDBACK_TEXT_LIMIT,
                    placeholder=PlainTextObject(text="e.g. how to order in a restaurant"),
                ),
            ),
            InputBlock(
                block_id=FeedbackField.TAUGHT.value,
                label=PlainTextObject(text="What I taught"),
                optional=True,
                element=PlainTextInputElement(
                    action_id=FIELD_ACTION,
                    multiline=True,
                    max_length=FEEDBACK_TEXT_LIMIT,
                    placeholder=PlainTextObject(text="e.g. window functions in SQL"),
                ),
            ),
            InputBlock(
                block_id=FeedbackField.AGAIN.value,
                label=PlainTextObject(text="Would you swap with them again?"),
                optional=True,
                element=RadioButtonsElement(
                    action_id=FIELD_ACTION,
                    options=[Option(value="yes", text="Yes"), Option(value="no", text="No")],
                ),
            ),
            InputBlock(
                block_id=FeedbackField.LEARN_NEXT.value,
                label=PlainTextObject(text="What would you like to learn next?"),
                hint=PlainTextObject(text="I'll add it to what you'd like to learn."),
                optional=True,
                element=PlainTextInputElement(
                    action_id=FIELD_ACTION,
                    max_length=LEARN_NEXT_LIMIT,
                    placeholder=PlainTextObject(text="e.g. public speaking, Python"),
                ),
            ),
        ],
    )


def _skills(labels: tuple[str, ...]) -> str:
    shown = [f"*{clip(label, 60)}*".replace("<", "&lt;").replace(">", "&gt;") for label in labels]
    return _join(shown)


def feedback_thanks_modal(
    added: tuple[str, ...] = (), already: tuple[str, ...] = (), problem: str | None = None
) -> View:
    """Thanks, and what "What would you like to learn next?" did to the member's profile."""
    lines = [":raised_hands: Saved. Swaps like yours are how skills spread — see you next round."]
    if added:
        lines.append(
            f":seedling: Added {_skills(added)} to what you'd like to learn: you'll be paired "
            "for it when someone here teaches it."
        )
    if already:
        verb = "is" if len(already) == 1 else "are"
        lines.append(f"{_skills(already)} {verb} already on your list of things to learn.")
    if problem:
        lines.append(f"I couldn't add what you'd like to learn next: {problem}")
    return View(
        type="modal",
        title=PlainTextObject(text="Thank you"),
        close=PlainTextObject(text="Done"),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=clip("\n\n".join(lines), SECTION_TEXT_LIMIT)))
        ],
    )


def answer_ack_text(answer: CheckinAnswer) -> str:
    """The ephemeral line the clicker sees."""
    return {
        CheckinAnswer.MET: ":tada: Lovely — thanks for letting us know.",
        CheckinAnswer.SCHEDULED: ":calendar: Great, enjoy it! We'll ask once more later.",
        CheckinAnswer.NOT_YET: "No rush. There's still time this round.",
        CheckinAnswer.COULD_NOT: "Thanks for saying — it happens. New partner next round.",
    }[answer]


class PauseAction(StrEnum):
    KEEP = "pause_question_keep"  # "Still up for swaps?" → Keep me in
    PAUSE = "pause_question_pause"  # → Pause for now
    RESUME = "paused_resume"  # the pause DM's Resume


@dataclass(frozen=True)
class PausedView:
    user_id: str
    missed: int


def _buttons(*buttons: tuple[str, PauseAction, str | None]) -> ActionsBlock:
    return ActionsBlock(
        elements=[
            ButtonElement(text=PlainTextObject(text=text), action_id=action.value, style=style)
            for text, action, style in buttons
        ]
    )


def still_up_blocks(view: PausedView) -> list[Block]:
    """Asked once, after the third check-in missed in a row, before anyone is paused."""
    text = (
        f"Hi <@{view.user_id}> — I haven't heard back on the last {view.missed} check-ins. "
        "Still up for swaps? No pressure either way. If I don't hear from you before the next "
        "round ends, I'll pause you; one click brings you back."
    )
    return [
        SectionBlock(text=MarkdownTextObject(text=text)),
        _buttons(
            ("Keep me in", PauseAction.KEEP, "primary"),
            ("Pause for now", PauseAction.PAUSE, None),
        ),
    ]


def still_up_fallback(view: PausedView) -> str:
    return "Still up for skill swaps? Keep me in, or pause for now."


def paused_blocks(view: PausedView) -> list[Block]:
    text = (
        f"Hi <@{view.user_id}> — I didn't hear back, so I've paused your skill swaps for now. "
        "No worries at all. Whenever you'd like to be paired again:"
    )
    return [
        SectionBlock(text=MarkdownTextObject(text=text)),
        _buttons(("Resume", PauseAction.RESUME, "primary")),
    ]


def paused_fallback(view: PausedView) -> str:
    return "Your skill swaps are paused. Resume whenever you like."


def pause_answer_text(action: PauseAction, next_round: str | None) -> str:
    """The reply that replaces the question (or the pause DM) once answered."""
    when = f" The next round starts {next_round}." if next_round else ""
    if action is PauseAction.PAUSE:
        return (
            "Paused — enjoy the break. Come back any time with `/skillswap resume` or the "
            "Resume button in the SkillSwap Home tab."
        )
    if action is PauseAction.KEEP:
        return f"Great, you're in for the next round.{when}"
    return f"Welcome back! You're in the pool again.{when}"


def auto_paused_blocks(user_ids: list[str], total: int) -> list[Block]:
    """Admins' Home: who SkillSwap paused after an unanswered "Still up for swaps?"."""
    if not user_ids:
        return []
    names = ", ".join(f"<@{u}>" for u in user_ids)
    more = f" and {total - len(user_ids)} more" if total > len(user_ids) else ""
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=clip(
                    f"*Paused after going quiet* ({total})\n{names}{more}\n"
                    "They missed three check-ins in a row and didn't answer "
                    "\u201cStill up for swaps?\u201d. Each has a Resume button in their DM.",
                    SECTION_TEXT_LIMIT,
                )
            )
        )
    ]
