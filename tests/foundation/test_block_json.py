"""Replies' blocks are converted to Slack's JSON by ``bot.blocks.common.block_json``: the same
JSON as slack_sdk's ``to_dict()``, the same validation, less CPU (every reply goes through it).
``tests/conftest.py`` also checks it against ``to_dict()`` for every reply of the suite."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    RichTextBlock,
    RichTextSectionElement,
    SectionBlock,
    StaticSelectElement,
)

from bot.blocks.common import block_json, blocks_json, text_blocks
from bot.blocks.help import HelpCommand, HelpView, help_blocks

PICK = [Option(text=PlainTextObject(text=f"Skill {i}"), value=f"s{i}") for i in range(3)]

SAMPLES: list[list[Block]] = [
    text_blocks("*Hello* <@U1> & friends :wave:"),
    help_blocks(
        HelpView(
            join=(HelpCommand("teach", "teach <skill>", "add skills"),),
            more=(HelpCommand("me", "me", "your profile"),),
            admin=(HelpCommand("admin", "admin", "settings"),),
            home_url="slack://app?team=T1&id=A1&tab=home",
        )
    ),
    [
        HeaderBlock(text="Your profile"),
        DividerBlock(),
        SectionBlock(
            block_id="skills",
            fields=[MarkdownTextObject(text="*Teach*"), PlainTextObject(text="Spanish")],
            accessory=StaticSelectElement(
                action_id="pick", placeholder="Pick one", options=PICK, initial_option=PICK[1]
            ),
        ),
        SectionBlock(
            text="grouped",
            accessory=StaticSelectElement(
                action_id="grouped",
                option_groups=[OptionGroup(label="Group", options=PICK[:2])],
            ),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(text="tip"),
                ImageElement(image_url="https://example.com/a.png", alt_text="a"),
            ]
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Leave",
                    action_id="leave",
                    value="x",
                    style="danger",
                    confirm=ConfirmObject(title="Sure?", text="All of it goes."),
                ),
                ButtonElement(text="Stay", action_id="stay", value=""),
            ]
        ),
        InputBlock(
            label="Skills",
            element=PlainTextInputElement(action_id="skills", multiline=True),
            optional=True,
        ),
        RichTextBlock(elements=[RichTextSectionElement(elements=[])]),  # Slack allows this one
        SectionBlock(text="a dict accessory", accessory={"type": "image", "alt_text": "x"}),
    ],
]


@pytest.mark.parametrize("blocks", SAMPLES, ids=["text", "help", "many kinds"])
def test_block_json_is_slack_sdks_json(blocks: list[Block]) -> None:
    assert blocks_json(blocks) == [block.to_dict() for block in blocks]
    assert blocks_json(blocks) == blocks_json(blocks)  # what is cached is per class, not per block


def test_block_json_validates_like_slack_sdk() -> None:
    too_long = SectionBlock(text=PlainTextObject(text="x" * 3001))
    with pytest.raises(SlackObjectFormationError) as theirs:
        too_long.to_dict()
    with pytest.raises(SlackObjectFormationError) as ours:
        block_json(too_long)
    assert str(ours.value) == str(theirs.value)
    bad_button = ButtonElement(text="Go", action_id="go", style="loud")
    with pytest.raises(SlackObjectFormationError):
        block_json(ActionsBlock(elements=[bad_button]))
