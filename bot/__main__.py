"""``python -m bot`` is ``skillswap``."""

from bot.cli import main

main()
