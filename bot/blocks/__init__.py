"""Block Kit builders: pure functions of plain data, built with ``slack_sdk.models``."""
