"""Slack plumbing in one place: Web API clients and the installation store (``clients``), the
OAuth install flow and its pages (``oauth``), the ack budget of slash commands (``acks``), who
is acting (``actor``, from Bolt's context), ``respond()`` over kept-alive connections
(``respond``), and the command name and text clipping (``text``).

Domain logic never imports this package except ``text`` (pure)."""
