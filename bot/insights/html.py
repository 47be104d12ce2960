"""The report as one self-contained HTML page, for people outside Slack.

No external resources: styles are inline, pictures are base64 ``data:`` URIs, and a Content
Security Policy forbids fetching anything else (or running scripts). Every piece of text from
the database is escaped.
"""

from __future__ import annotations

import base64
from html import escape

from bot.insights import text
from bot.insights.charts import ReportImages
from bot.insights.stats import Insights

MAX_ROWS = 15

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: #1d1c1d; background: #f8f8f8; }
main { max-width: 1100px; margin: 0 auto; padding: 32px 24px 48px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 40px 0 12px; }
.lead { font-size: 18px; margin: 12px 0 24px; }
.muted { color: #616061; font-size: 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid #e2e2e2; border-radius: 8px; padding: 14px 16px; }
.card .value { font-size: 26px; font-weight: 700; }
.card .label { color: #616061; font-size: 14px; }
.card .detail { font-size: 13px; color: #616061; }
figure { margin: 0; background: #fff; border: 1px solid #e2e2e2; border-radius: 8px;
  padding: 12px; }
figure img { display: block; width: 100%; height: auto; }
figcaption { color: #616061; font-size: 14px; margin-top: 8px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 15px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #ececec; }
th { background: #f2f2f2; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
dl { background: #fff; border: 1px solid #e2e2e2; border-radius: 8px; padding: 12px 16px; }
dt { font-weight: 600; margin-top: 8px; }
dd { margin: 2px 0 0; color: #454245; }
@media print { body { background: #fff; } figure, .card, dl { break-inside: avoid; } }
"""

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'"


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _card(label: str, value: str, detail: str = "") -> str:
    extra = f'<div class="detail">{escape(detail)}</div>' if detail else ""
    return (
        f'<div class="card"><div class="value">{escape(value)}</div>'
        f'<div class="label">{escape(label)}</div>{extra}</div>'
    )


def _table(header: list[tuple[str, bool]], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f'<p class="muted">{escape(empty)}</p>'
    head = "".join(f"<th{' class=num' if num else ''}>{escape(h)}</th>" for h, num in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if num else ''}>{escape(cell)}</td>"
            for cell, (_, num) in zip(row, header, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(ins: Insights, images: ReportImages) -> str:
    title = f"SkillSwap report \u2014 {ins.title}"
    generated = ins.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    latest = ins.latest_round
    cards = "".join(
        [
            _card(
                "New connections",
                str(ins.new_connections),
                f"pairs who met, {ins.cross_team_new_connections} across teams",
            ),
            _card("Pairs introduced", str(ins.pairs_introduced), "met or not"),
            _card(
                "Repeat swaps",
                str(ins.repeat_swaps),
                "ties that last: met in 2+ rounds or again by choice"
                + (f" ({text.times(ins.met_again)})" if ins.met_again else ""),
            ),
            _card("Members", str(ins.members), f"{ins.active} active, {ins.paused} paused"),
            _card("Rounds run", str(ins.rounds)),
            _card(
                "Groups formed",
                str(ins.pairs_made),
                f"{ins.request_pairs} from requests" if ins.request_pairs else "",
            ),
            _card(
                "Discovery swaps",
                str(ins.discovery_pairs),
                f"new colleagues without a fitting lesson, {ins.discovery_swaps_completed} met",
            ),
            _card(
                "Meeting rate",
                text.percent(ins.meeting_rate),
                f"{ins.swaps_completed} of {ins.groups_asked} groups asked",
            ),
            _card(
                "Booked a time",
                text.percent(ins.booked_share),
                (
                    f"{ins.booked} of {ins.pairs_made} groups; met "
                    f"{text.percent(ins.meeting_rate_booked)} booked vs "
                    f"{text.percent(ins.meeting_rate_unbooked)} not"
                ),
            ),
            _card(
                "Average rating",
                text.rating(ins.average_rating),
                text.plural(ins.ratings, "rating"),
            ),
        ]
    )
    taught = _table(
        [("Skill", False), ("Lessons in completed swaps", True)],
        [[s.name, str(s.taught)] for s in ins.top_taught(MAX_ROWS)],
        "No completed swaps yet.",
    )
    skills_map = _table(
        [("Skill", False), ("Teach", True), ("Want to learn", True), ("Teams teaching", True)],
        [
            [s.name, str(s.teachers), str(s.learners), str(s.teams)]
            for s in ins.skills_map(MAX_ROWS)
        ],
        "Nobody lists a skill to teach yet.",
    )
    gaps = _table(
        [("Skill", False), ("Want to learn", True), ("Teach", True)],
        [[s.name, str(s.learners), str(s.teachers)] for s in ins.skill_gaps(MAX_ROWS)],
        "No skill gaps: every skill people want to learn has enough teachers.",
    )
    rounds = _table(
        [
            ("Round", False),
            ("Date", False),
            ("Groups", True),
            ("Met", True),
            ("Pairs introduced", True),
            ("New connections", True),
            ("Across teams", True),
            ("Discovery swaps", True),
        ],
        [
            [
                text.week_of_long(p.round_date),
                p.round_date.isoformat(),
                str(p.groups),
                str(p.met),
                str(p.introduced),
                str(p.new_connections),
                str(p.cross_team_new_connections),
                str(p.discovery),
            ]
            for p in reversed(ins.per_round[-MAX_ROWS:])
        ],
        "No rounds yet.",
    )
    adoption = ins.adoption
    invitations = _table(
        [("Channel", False), ("Invited", True), ("Joined", True), ("Conversion", True)],
        [
            [
                f"#{c.channel_id}",
                str(c.invited),
                str(c.joined),
                f"{c.conversion:.0%}" if c.invited else "card only",
            ]
            for c in adoption.channels[:MAX_ROWS]
        ],
        "No invitations sent from a channel yet.",
    )
    adoption_line = (
        f"{adoption.sent} invitations sent, {adoption.joined} joined from an invitation"
        + (f" ({adoption.conversion:.0%})." if adoption.sent else ".")
    )
    definitions = "".join(
        f"<dt>{escape(term)}</dt><dd>{escape(meaning)}</dd>" for term, meaning in text.DEFINITIONS
    )
    latest_line = (
        f"Latest round: {text.week_of_long(latest.round_date)} ({latest.round_date.isoformat()})."
        if latest
        else "No rounds yet."
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>{escape(title)}</h1>
<p class="muted">Generated {escape(generated)}. {escape(latest_line)}</p>
<p class="lead" id="headline">{escape(text.headline(ins))}</p>
<section class="cards" id="numbers">{cards}</section>
<h2>Connection network</h2>
<figure><img id="network" src="{_data_uri(images.network_png)}" alt="{escape(images.network_alt)}">
<figcaption>Each dot is a member, coloured by team; lines join people who have been
paired. Black lines are new ties from the latest round; thick grey lines are lasting ties,
pairs who met in two or more rounds.</figcaption></figure>
<h2>Rounds over time</h2>
<figure><img id="rounds" src="{_data_uri(images.rounds_png)}" alt="{escape(images.rounds_alt)}">
<figcaption>Groups made and groups that met per round, with the new connections each round
made.</figcaption></figure>
<h2>Skills people here teach</h2>
<p class="muted">Most taught first, across every team: the talent already in the company.</p>
<div id="skills-map">{skills_map}</div>
<h2>Top skills taught</h2>
{taught}
<h2>Skill gaps</h2>
{gaps}
<h2>Rounds</h2>
{rounds}
<h2>Adoption</h2>
<p id="adoption">{escape(adoption_line)}</p>
{invitations}
<h2>What the numbers mean</h2>
<dl>{definitions}</dl>
<p class="muted">Private feedback is never shown here: only counts and averages.</p>
</main>
</body>
</html>
"""
