from __future__ import annotations

from bot.matching.skills import canonical_key, display_name_for, normalize_key, suggest


def test_c_family_stays_distinct() -> None:
    keys = {canonical_key(x) for x in ("C", "C++", "C#", "F#")}
    assert len(keys) == 4
    assert display_name_for(canonical_key("c++")) == "C++"
    assert display_name_for(canonical_key("C#")) == "C#"


def test_normalize_collapses_case_space_punctuation_and_width() -> None:
    assert normalize_key("  Machine-Learning ") == "machine learning"
    assert normalize_key("\uff23\uff0b\uff0b") == normalize_key("c++")
    assert normalize_key("ÉCRITURE") == "écriture"
    assert normalize_key("हिन्दी") == "हिन्दी"  # combining marks survive
    assert normalize_key("!!!") == ""


def test_aliases_reach_one_key() -> None:
    assert {canonical_key(x) for x in ("JS", "javascript", "Java Script", "JavaScript")} == {
        "javascript"
    }
    assert canonical_key("py") == "python"
    assert canonical_key("k8s") == "kubernetes"
    assert canonical_key("Español") == canonical_key("spanish") == "spanish"
    assert canonical_key("ML") == "machine learning"
    assert canonical_key("UX") == "ux design"
    assert canonical_key("Type Script") == "typescript"
    assert canonical_key("Watercolours") == "watercolor"


def test_display_names() -> None:
    assert display_name_for("spanish") == "Spanish"
    assert display_name_for("machine learning") == "Machine learning"
    assert display_name_for("node js") == "Node.js"
    assert display_name_for("") == ""


def test_suggest_near_misses_only() -> None:
    known = ["spanish", "sql", "python", "c plus plus"]
    assert suggest("Spanihs", known) == "spanish"
    assert suggest("pyhton", known) == "python"
    assert suggest("Spanish", known) is None  # already known
    assert suggest("español", known) is None  # alias of a known key
    assert suggest("guitar", known) is None
    assert suggest("c", known) is None
