"""The newcomer's first run: ``skillswap demo`` (one week at a fictional company, the real
app against the Slack simulator) and ``skillswap simulate`` (many weeks at a synthetic one).

Nothing runs at import time; see :mod:`bot.demo.run` and :mod:`bot.demo.simulate`.
"""
