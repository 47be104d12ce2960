"""Launching SkillSwap in a company: invitations (channels, cards, DMs) and adoption."""
