"""Brightwater Labs: the fictional company of ``skillswap demo`` (no real people).

Forty colleagues in six teams across Europe, the Americas and Asia, each with a Slack user in
the simulator, a job title, and what they would type after ``/skillswap teach`` and
``/skillswap learn`` — work skills and hobbies alike, because the swap's real value is the
connection it makes. A few wishes nobody can teach yet (beekeeping, sign language) show how
SkillSwap explains a round without a partner.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

COMPANY_NAME = "Brightwater Labs"
TEAM_ID = "T0DEMO0001"
DOMAIN = "brightwater-labs"


@dataclass(frozen=True)
class Colleague:
    user_id: str
    name: str
    team: str
    tz: str
    title: str
    teach: tuple[str, ...]  # as typed after `/skillswap teach`, e.g. "Spanish (expert)"
    learn: tuple[str, ...]  # as typed after `/skillswap learn`

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    def teach_text(self) -> str:
        return ", ".join(self.teach)

    def learn_text(self) -> str:
        return ", ".join(self.learn)


def _c(n: int, name: str, team: str, tz: str, title: str, teach: str, learn: str) -> Colleague:
    return Colleague(
        user_id=f"U0DEMO{n:04d}",
        name=name,
        team=team,
        tz=tz,
        title=title,
        teach=tuple(s.strip() for s in teach.split(",") if s.strip()),
        learn=tuple(s.strip() for s in learn.split(",") if s.strip()),
    )


# fmt: off
_PEOPLE: tuple[Colleague, ...] = (
    # Design
    _c(1, "Ana García", "Design", "Europe/Madrid", "Product Designer",
       "Spanish (expert), Figma (expert)", "SQL, Photography"),
    _c(2, "Kwame Mensah", "Design", "Europe/London", "Brand Designer",
       "Drawing (expert), Hand lettering (intermediate)", "Python, Guitar"),
    _c(3, "Sofia Rossi", "Design", "Europe/Rome", "UX Researcher",
       "UX research (expert), Italian (expert)", "Data visualisation, Cooking"),
    _c(4, "Hiroshi Tanaka", "Design", "Asia/Tokyo", "Illustrator",
       "Japanese (expert), Watercolour (intermediate)", "Public speaking, Mandarin"),
    _c(5, "Maya Cohen", "Design", "America/New_York", "Design Lead",
       "Public speaking (expert), Figma (intermediate)", "Baking, Spanish"),
    _c(6, "Lucas Oliveira", "Design", "America/Sao_Paulo", "Motion Designer",
       "Portuguese (expert), Video editing (expert)", "JavaScript, Piano"),
    # Data
    _c(7, "Ben Carter", "Data", "Europe/London", "Data Analyst",
       "SQL (intermediate), Chess (expert)", "Spanish, Drawing"),
    _c(8, "Priya Sharma", "Data", "Asia/Kolkata", "Data Scientist",
       "Python (expert), Machine learning (expert)", "Photography, Yoga"),
    _c(9, "Jonas Müller", "Data", "Europe/Berlin", "Analytics Engineer",
       "German (expert), Data visualisation (expert)", "Italian, Running"),
    _c(10, "Aisha Bello", "Data", "Europe/London", "Data Engineer",
       "Excel (expert), Running (intermediate)", "Python, Pottery"),
    _c(11, "Wei Chen", "Data", "Asia/Singapore", "ML Engineer",
       "Mandarin (expert), Statistics (expert)", "Japanese, Photography"),
    _c(12, "Emily Tremblay", "Data", "America/Toronto", "BI Analyst",
       "French (expert), Excel (intermediate)", "Statistics, Knitting"),
    # Engineering
    _c(13, "Mateusz Kowalski", "Engineering", "Europe/Warsaw", "Backend Engineer",
       "Go (expert), Polish (expert)", "Cooking, Guitar"),
    _c(14, "Arjun Nair", "Engineering", "Asia/Kolkata", "Platform Engineer",
       "Kubernetes (expert), Cricket (intermediate)", "Mandarin, Public speaking"),
    _c(15, "Carlos Hernández", "Engineering", "America/Mexico_City", "Frontend Engineer",
       "JavaScript (expert), Salsa dancing (intermediate)", "Portuguese, Go"),
    _c(16, "Nora Lindqvist", "Engineering", "Europe/Stockholm", "Engineering Manager",
       "Swedish (expert), Rust (expert)", "Drawing, Yoga"),
    _c(17, "David Kim", "Engineering", "America/Los_Angeles", "iOS Engineer",
       "Korean (expert), Photography (expert)", "Spanish, Baking"),
    _c(18, "Fatima Zahra El Amrani", "Engineering", "Europe/Paris", "QA Engineer",
       "Arabic (expert), French (intermediate)", "JavaScript, Chess"),
    _c(19, "Tom O'Brien", "Engineering", "Europe/Dublin", "Site Reliability Engineer",
       "Guitar (expert), Linux (expert)", "German, Kubernetes"),
    _c(20, "Lina Haddad", "Engineering", "Europe/Lisbon", "Security Engineer",
       "Piano (expert), Security basics (intermediate)", "Portuguese, Rust"),
    # Sales
    _c(21, "James Walker", "Sales", "America/New_York", "Account Executive",
       "Negotiation (expert), Cooking (intermediate)", "Excel, French"),
    _c(22, "Lucía Fernández", "Sales", "Europe/Madrid", "Sales Manager",
       "Spanish (expert), Salsa dancing (expert)", "Negotiation, Photography"),
    _c(23, "Rafael Souza", "Sales", "America/Sao_Paulo", "Sales Engineer",
       "Portuguese (expert), SQL (intermediate)", "Guitar, Public speaking"),
    _c(24, "Olivia Bennett", "Sales", "Europe/London", "Customer Success Lead",
       "Storytelling (expert), Baking (expert)", "Spanish, Data visualisation"),
    _c(25, "Daniel Tan", "Sales", "Asia/Singapore", "Partnerships Manager",
       "Mandarin (intermediate), Cooking (expert)", "Negotiation, Yoga"),
    _c(26, "Grace Okafor", "Sales", "America/Chicago", "Sales Development Rep",
       "Public speaking (intermediate), Running (expert)", "Excel, Piano"),
    _c(27, "Marco Bianchi", "Sales", "Europe/Rome", "Key Account Manager",
       "Italian (expert), Cooking (expert)", "Storytelling, Chess"),
    # People
    _c(28, "Sarah Johnson", "People", "Europe/London", "People Partner",
       "Interviewing (expert), Knitting (expert)", "Python, French"),
    _c(29, "Ananya Iyer", "People", "Asia/Kolkata", "Recruiter",
       "Hindi (expert), Yoga (expert)", "Drawing, Excel"),
    _c(30, "Chloé Dubois", "People", "Europe/Paris", "Learning & Development Lead",
       "French (expert), Coaching (expert)", "Arabic, Photography"),
    _c(31, "Kofi Asante", "People", "Europe/London", "People Operations",
       "Photography (intermediate), Chess (intermediate)", "Baking, German"),
    _c(32, "Isabella Martins", "People", "Europe/Lisbon", "Talent Lead",
       "Portuguese (expert), Pottery (intermediate)", "Figma, Italian"),
    _c(33, "Noah Schmidt", "People", "Europe/Berlin", "Workplace Manager",
       "Baking (expert), German (expert)", "Spanish, Cooking"),
    # Finance
    _c(34, "Elena Popescu", "Finance", "Europe/Bucharest", "Financial Analyst",
       "Excel (expert), Romanian (expert)", "SQL, Salsa dancing"),
    _c(35, "Rahul Gupta", "Finance", "Asia/Kolkata", "Financial Controller",
       "Accounting basics (expert), Chess (expert)", "Python, Photography"),
    _c(36, "Yuki Sato", "Finance", "Asia/Tokyo", "Finance Manager",
       "Japanese (expert), Calligraphy (intermediate)", "Excel, Mandarin"),
    _c(37, "Michael Brown", "Finance", "America/New_York", "Chief Financial Officer",
       "Accounting basics (expert), Negotiation (expert)", "Piano, Spanish"),
    _c(38, "Amara Nwosu", "Finance", "Europe/London", "Payroll Specialist",
       "Excel (intermediate), Sewing (intermediate)", "Public speaking, Yoga"),
    _c(39, "Sven Larsen", "Finance", "Europe/Copenhagen", "Treasury Analyst",
       "Danish (expert), Sailing (expert)", "Beekeeping"),
    _c(40, "Zainab Hussain", "Finance", "Asia/Dubai", "FP&A Analyst",
       "Arabic (expert), Urdu (expert)", "Sign language"),
)
# fmt: on


def colleagues() -> tuple[Colleague, ...]:
    """Everyone at Brightwater Labs, in a stable order."""
    return _PEOPLE


def teams(people: tuple[Colleague, ...] | None = None) -> list[tuple[str, int]]:
    """(team, head count), largest first."""
    counts = Counter(p.team for p in (people or _PEOPLE))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def names_by_id(people: tuple[Colleague, ...] | None = None) -> dict[str, str]:
    return {p.user_id: p.name for p in (people or _PEOPLE)}
