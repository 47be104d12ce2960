"""Dependencies for one CLI command: built from the environment, disposed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.cli._console import fail
from bot.deps import Deps, build_deps
from bot.errors import SkillSwapError
from bot.settings import load_settings


@contextmanager
def cli_deps() -> Iterator[Deps]:
    """Deps from the environment; database and domain errors become one clear line."""
    settings = load_settings()
    deps = build_deps(settings)
    try:
        yield deps
    except SkillSwapError as exc:
        raise fail(exc.message) from None
    except DBAPIError as exc:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        raise fail(
            f"Could not read the database at {where} ({type(exc.orig).__name__}). Check "
            "DATABASE_URL and run `skillswap db upgrade`.",
            code=1,
        ) from None
    finally:
        deps.engine.dispose()
