"""SkillSwap: a Slack app that pairs colleagues to teach each other what they know."""

__version__ = "0.1.0"
