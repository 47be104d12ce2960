"""Small builders shared by every surface."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot.slack.text import clip

SECTION_TEXT_LIMIT = 3000


def text_blocks(text: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT)))]
