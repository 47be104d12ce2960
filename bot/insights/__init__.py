"""Leaders' insights: the numbers (``stats``), the pictures (``charts``), the HTML page
(``html``), CSV exports (``export``) and their delivery in Slack (``delivery``)."""
