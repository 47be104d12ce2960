"""Skill names, normalised the same way everywhere in the app.

``normalize_key`` turns what a person typed into a comparable key (Unicode NFKC, case-folded,
``+``/``#`` spelled out so "C", "C++" and "C#" stay distinct, other punctuation and runs of
whitespace collapsed to one space). ``canonical_key`` then applies a small starter table of
common aliases ("JS", "Java Script" -> "javascript"; "k8s" -> "kubernetes"; "español" ->
"spanish"). Workspaces add their own aliases in the database; this table is only the default.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

_SPELLED = {"+": " plus ", "#": " sharp ", "&": " and ", "@": " at "}


def normalize_key(name: str) -> str:
    """A comparable key for a skill name: ``" Machine-Learning "`` -> ``"machine learning"``."""
    text = unicodedata.normalize("NFKC", name).casefold()
    # ".NET" and "dotnet" meet; "node.js" becomes "node js".
    if text.startswith("."):
        text = "dot" + text[1:]
    out: list[str] = []
    for ch in text:
        if ch in _SPELLED:
            out.append(_SPELLED[ch])
        elif ch.isalnum() or unicodedata.category(ch).startswith("M"):
            out.append(ch)  # letters and digits of any script, with their combining marks
        else:
            out.append(" ")
    return " ".join("".join(out).split())


# alias key (already normalised) -> canonical key
_ALIASES: dict[str, str] = {
    # programming
    "js": "javascript",
    "java script": "javascript",
    "ecmascript": "javascript",
    "es6": "javascript",
    "vanilla js": "javascript",
    "ts": "typescript",
    "type script": "typescript",
    "py": "python",
    "python3": "python",
    "python 3": "python",
    "golang": "go",
    "go lang": "go",
    "cpp": "c plus plus",
    "cplusplus": "c plus plus",
    "csharp": "c sharp",
    "c sharp dotnet": "c sharp",
    "dot net": "dotnet",
    "net": "dotnet",
    "asp net": "dotnet",
    "node": "node js",
    "nodejs": "node js",
    "react js": "react",
    "reactjs": "react",
    "react native": "react native",
    "vue js": "vue",
    "vuejs": "vue",
    "rb": "ruby",
    "ruby on rails": "rails",
    "ror": "rails",
    "rustlang": "rust",
    "kt": "kotlin",
    "objective c": "objective c",
    "objc": "objective c",
    "postgres": "postgresql",
    "psql": "postgresql",
    "postgre sql": "postgresql",
    "mysql db": "mysql",
    "structured query language": "sql",
    "k8s": "kubernetes",
    "kube": "kubernetes",
    "tf": "terraform",
    "aws cloud": "aws",
    "amazon web services": "aws",
    "gcp": "google cloud",
    "google cloud platform": "google cloud",
    "azure cloud": "azure",
    "ml": "machine learning",
    "machinelearning": "machine learning",
    "dl": "deep learning",
    "ai": "artificial intelligence",
    "llm": "large language models",
    "llms": "large language models",
    "ds": "data science",
    "stats": "statistics",
    "excel spreadsheets": "excel",
    "ms excel": "excel",
    "microsoft excel": "excel",
    "gsheets": "google sheets",
    "regexp": "regex",
    "regular expressions": "regex",
    "git hub": "github",
    "ci cd": "ci",
    "devops": "devops",
    # design and product
    "ux": "ux design",
    "user experience": "ux design",
    "ui": "ui design",
    "user interface design": "ui design",
    "ui ux": "ux design",
    "pm": "product management",
    "product manager": "product management",
    "seo": "search engine optimisation",
    "search engine optimization": "search engine optimisation",
    "public speaking": "public speaking",
    "presenting": "public speaking",
    # languages
    "español": "spanish",
    "espanol": "spanish",
    "castellano": "spanish",
    "français": "french",
    "francais": "french",
    "deutsch": "german",
    "italiano": "italian",
    "português": "portuguese",
    "portugues": "portuguese",
    "日本語": "japanese",
    "nihongo": "japanese",
    "中文": "mandarin",
    "chinese": "mandarin",
    "mandarin chinese": "mandarin",
    "putonghua": "mandarin",
    "한국어": "korean",
    "русский": "russian",
    "हिन्दी": "hindi",
    "english language": "english",
    "esl": "english",
    "asl": "sign language",
    # hobbies
    "guitarra": "guitar",
    "acoustic guitar": "guitar",
    "piano keys": "piano",
    "keyboard piano": "piano",
    "drawing sketching": "drawing",
    "sketching": "drawing",
    "photo": "photography",
    "photos": "photography",
    "cooking": "cooking",
    "baking bread": "baking",
    "yoga practice": "yoga",
    "chess game": "chess",
    "knit": "knitting",
    "crochet": "crochet",
    "watercolour": "watercolor",
    "watercolors": "watercolor",
    "watercolours": "watercolor",
    "sourdough": "baking",
    "woodwork": "woodworking",
    "running": "running",
}

_DISPLAY: dict[str, str] = {
    "c plus plus": "C++",
    "c sharp": "C#",
    "f sharp": "F#",
    "c": "C",
    "r": "R",
    "javascript": "JavaScript",
    "typescript": "TypeScript",
    "node js": "Node.js",
    "dotnet": ".NET",
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "sql": "SQL",
    "aws": "AWS",
    "google cloud": "Google Cloud",
    "github": "GitHub",
    "ci": "CI/CD",
    "devops": "DevOps",
    "ux design": "UX design",
    "ui design": "UI design",
    "seo": "SEO",
    "regex": "Regex",
    "objective c": "Objective-C",
    "ios": "iOS",
    "php": "PHP",
    "html": "HTML",
    "css": "CSS",
    "graphql": "GraphQL",
    "macos": "macOS",
    "large language models": "Large language models (LLMs)",
    "artificial intelligence": "AI",
    "search engine optimisation": "SEO",
}

# Languages and other proper nouns are capitalised word by word.
_PROPER = frozenset(
    [
        "spanish",
        "french",
        "german",
        "italian",
        "portuguese",
        "japanese",
        "mandarin",
        "korean",
        "russian",
        "hindi",
        "english",
        "arabic",
        "dutch",
        "swedish",
        "polish",
        "turkish",
        "greek",
        "hebrew",
        "catalan",
        "basque",
        "python",
        "go",
        "rust",
        "ruby",
        "rails",
        "kotlin",
        "swift",
        "java",
        "scala",
        "haskell",
        "elixir",
        "kubernetes",
        "terraform",
        "docker",
        "linux",
        "excel",
        "figma",
        "react",
        "vue",
        "angular",
        "django",
        "flask",
        "azure",
    ]
)


def canonical_key(name: str) -> str:
    """The key matching uses: ``normalize_key`` plus the starter alias table."""
    key = normalize_key(name)
    if key in _ALIASES:
        return _ALIASES[key]
    compact = key.replace(" ", "")
    if compact != key and compact in _ALIASES:
        return _ALIASES[compact]
    return key


def display_name_for(key: str) -> str:
    """A nice default label for a canonical key (``"c plus plus"`` -> ``"C++"``)."""
    if key in _DISPLAY:
        return _DISPLAY[key]
    words = key.split()
    if not words:
        return ""
    if all(w in _PROPER for w in words):
        return " ".join(w[:1].upper() + w[1:] for w in words)
    first = words[0][:1].upper() + words[0][1:]
    rest = [w[:1].upper() + w[1:] if w in _PROPER else w for w in words[1:]]
    return " ".join([first, *rest])


def suggest(name: str, known_keys: Iterable[str]) -> str | None:
    """A known key that ``name`` is probably a misspelling of ("spanihs" -> "spanish").

    Returns ``None`` when the name is already known or nothing is close enough.
    """
    key = canonical_key(name)
    known = list(dict.fromkeys(known_keys))
    if not key or key in known:
        return None
    # Very short keys ("c", "r", "go") are too easy to confuse: demand more similarity.
    cutoff = 0.75 if len(key) >= 5 else 0.85
    close = difflib.get_close_matches(key, known, n=1, cutoff=cutoff)
    if close:
        return close[0]
    compact = key.replace(" ", "")
    for candidate in known:
        if candidate.replace(" ", "") == compact:
            return candidate
    return None
