"""Small builders shared by every surface."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.slack.text import clip

SECTION_TEXT_LIMIT = 3000


def text_blocks(text: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT)))]


def help_blocks(lines: list[tuple[str, str]]) -> list[Block]:
    intro = (
        "*SkillSwap* pairs you with a colleague every round to swap skills: you teach "
        "something you know, they teach you something you want to learn — work skills or "
        "not (Spanish, SQL, guitar, drawing…)."
    )
    body = "\n".join(f"• `{usage}` — {summary}" for usage, summary in lines)
    return [
        SectionBlock(text=MarkdownTextObject(text=intro)),
        SectionBlock(text=MarkdownTextObject(text=clip(body, SECTION_TEXT_LIMIT))),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Start with `/skillswap teach <skill>` and `/skillswap learn <skill>`."
                )
            ]
        ),
    ]
