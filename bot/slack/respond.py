"""``respond()`` over kept-alive connections.

Bolt's :class:`~slack_bolt.Respond` builds a slack_sdk ``WebhookClient`` per call, and that
posts through ``urllib``: a new connection (in production a TLS handshake with
hooks.slack.com) for every reply. :class:`ResponsePoster` posts ``response_url`` messages
through one ``urllib3`` pool per app instead, and :class:`PooledRespond` is Bolt's ``Respond``
with the same signature and message (Bolt's ``_build_message``, slack_sdk's ``_build_body``)
sent through it. :class:`bot.app.SkillSwapApp` puts one in each request's context, so
listeners and the error handler get it as ``respond``.

What callers get is what ``WebhookClient`` gives: a ``WebhookResponse`` with the status code
and body, also for 4xx/5xx (an expired ``response_url`` answers 404: nothing is raised), and
an exception, logged, when no answer came. A post is retried once only when the connection
could not be made (nothing was sent); a kept-alive connection the server has closed is seen as
dropped before it is used and replaced (urllib3 checks it). After the request went out, a
reset or a timeout is raised, never retried: a reply is never posted twice (Slack also counts
every post against the ``response_url``'s five uses).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from ssl import SSLContext
from typing import Any

import urllib3
from slack_bolt import BoltContext, Respond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block
from slack_sdk.web.internal_utils import get_user_agent
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.internal_utils import _build_body

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0


class ResponsePoster:
    """Posts JSON messages to ``response_url``s through a bounded, thread-safe pool.

    ``maxsize`` connections are kept alive per host (more may be open at once under load;
    the extra ones are closed after use), for at most ``num_pools`` hosts. ``proxy`` and
    ``ssl`` are the ones Bolt would have handed ``WebhookClient`` (the app client's).
    """

    def __init__(
        self,
        *,
        proxy: str | None = None,
        ssl: SSLContext | None = None,
        maxsize: int = 5,
        num_pools: int = 4,
    ) -> None:
        self.proxy = proxy.strip() if proxy and proxy.strip() else None
        self.ssl = ssl
        self._headers = {
            "Content-Type": "application/json;charset=utf-8",
            "User-Agent": get_user_agent(),
        }
        retries = urllib3.Retry(total=1, connect=1, read=False, other=0, redirect=False)
        timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT)
        options: dict[str, Any] = {
            "num_pools": num_pools,
            "maxsize": maxsize,
            "block": False,
            "retries": retries,
            "timeout": timeout,
        }
        if ssl is not None:
            options["ssl_context"] = ssl
        self._pool: urllib3.PoolManager
        if self.proxy is not None:
            url = self.proxy if "://" in self.proxy else f"http://{self.proxy}"
            self._pool = urllib3.ProxyManager(url, **options)
        else:
            self._pool = urllib3.PoolManager(**options)

    def post(self, url: str, message: dict[str, Any]) -> WebhookResponse:
        """POST ``message`` (as ``WebhookClient.send_dict`` would encode it) to ``url``."""
        if not url.lower().startswith(("https://", "http://")):
            raise ValueError(f"Invalid URL detected: {url}")
        body = json.dumps(_build_body(message)).encode("utf-8")
        try:
            answer = self._pool.request(
                "POST", url, body=body, headers=self._headers, redirect=False
            )
        except Exception as error:
            log.error("could not post to a response_url: %s", type(error).__name__)
            raise
        return WebhookResponse(
            url=url,
            status_code=answer.status,
            body=answer.data.decode("utf-8", errors="replace"),
            headers=dict(answer.headers),
        )

    def close(self) -> None:
        """Close every kept-alive connection (a later post opens a new one)."""
        self._pool.clear()


class PooledRespond(Respond):
    """Bolt's ``respond()``, posting through a :class:`ResponsePoster`."""

    def __init__(self, *, response_url: str | None, poster: ResponsePoster) -> None:
        super().__init__(response_url=response_url, proxy=poster.proxy, ssl=poster.ssl)
        self.poster = poster

    def __call__(
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[dict[str, Any] | Block] | None = None,
        attachments: Sequence[dict[str, Any] | Attachment] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        if isinstance(text, dict):  # the whole message, as Bolt accepts it
            return self.poster.post(self.response_url, _build_message(**text))
        if not isinstance(text, str):
            raise ValueError(f"The arg is unexpected type ({type(text)})")
        message = _build_message(
            text=text,
            blocks=blocks,
            attachments=attachments,
            response_type=response_type,
            replace_original=replace_original,
            delete_original=delete_original,
            unfurl_links=unfurl_links,
            unfurl_media=unfurl_media,
            thread_ts=thread_ts,
            metadata=metadata,
        )
        return self.poster.post(self.response_url, message)


# Where :class:`bot.app.SkillSwapApp` puts its poster in every request's context.
POSTER = "skillswap_response_poster"


def respond_to(context: BoltContext, response_url: str) -> Respond:
    """A ``respond`` for a ``response_url`` other than the request's own (one kept in a modal's
    metadata, say), through the app's pool when the request has one."""
    poster = context.get(POSTER)
    if isinstance(poster, ResponsePoster):
        return PooledRespond(response_url=response_url, poster=poster)
    return Respond(response_url=response_url)
