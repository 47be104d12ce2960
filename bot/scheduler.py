"""The clock process: starts rounds when they are due, queues check-ins, delivers the outbox.

Everything it does is in plain functions of ``(deps, now)`` — :func:`tick` — that tests call with
a driven clock; APScheduler only calls them on a timer. Run exactly one clock process
(``skillswap scheduler``) per deployment; a second one (or ``skillswap round run`` at the same
moment) is harmless — rounds are locked and unique per period, outbox rows are claimed — just
wasted work.

Jobs (fixed ids, ``replace_existing``; in memory, because all state lives in the database):

- ``skillswap-tick`` every minute: due rounds, due check-ins and reminders, closing rounds,
  due meet-again nudges;
- ``skillswap-deliver``: deliver what is due in the outbox, then run again 5 seconds after it
  finishes (a one-off job that re-adds itself, so a two-hour delivery never overlaps itself
  or floods the log with "skipped: maximum number of running instances");
- ``skillswap-prune`` hourly: forget Events API ids older than a day;
- ``skillswap-nudges`` hourly: queue the gentle nudges that are due (``queue_due_nudges``).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from bot.clock import Clock, SystemClock
from bot.delivery.throttle import Throttle
from bot.delivery.worker import ClientFor, DeliveryReport, DeliveryWorker, make_throttle
from bot.deps import Deps
from bot.members.nudges import queue_due_nudges
from bot.requests.expiry import expire_due
from bot.rounds import meet_again
from bot.rounds.checkins import CheckinReport, process_due
from bot.rounds.service import RoundsReport, run_due_rounds
from bot.store.events import EVENTS_KEPT_FOR, prune_events

log = logging.getLogger(__name__)

TICK_JOB = "skillswap-tick"
DELIVER_JOB = "skillswap-deliver"
PRUNE_JOB = "skillswap-prune"
NUDGE_JOB = "skillswap-nudges"
NUDGE_SECONDS = 3600
TICK_SECONDS = 60
DELIVER_SECONDS = 5
PRUNE_SECONDS = 3600
#: The tick re-adds the delivery job if it is missing and nothing was delivered for this long.
WATCHDOG_SECONDS = 30.0


@dataclass(frozen=True)
class TickReport:
    rounds: RoundsReport
    checkins: CheckinReport
    delivery: DeliveryReport | None


def tick(
    deps: Deps,
    now: datetime | None = None,
    *,
    deliver: bool = True,
    throttle: Throttle | None = None,
    client_for: ClientFor | None = None,
    stop: threading.Event | None = None,
) -> TickReport:
    """One beat of the clock: start due rounds, queue due check-ins and meet-again nudges,
    expire requests nobody answered, then deliver what is due.

    ``now`` defaults to ``deps.clock.now()``; delivery reads ``deps.clock`` as it goes.
    """
    moment = now or deps.clock.now()
    rounds = run_due_rounds(
        deps, moment, client_for=(lambda team: client_for(team, None)) if client_for else None
    )
    checkins = process_due(deps, moment, humane=True)
    meet_again.process_due(deps, moment, humane=True)
    expire_due(deps, moment)
    delivery = None
    if deliver:
        delivery = DeliveryWorker(deps, throttle=throttle, client_for=client_for, stop=stop).run()
    return TickReport(rounds=rounds, checkins=checkins, delivery=delivery)


class ShiftedClock:
    """Real time moved to start at ``start`` (``skillswap round checkins --now``): waits are
    real, and every timestamp is consistent with the moment the operator asked for."""

    def __init__(self, start: datetime, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = start - self._base.now()

    def now(self) -> datetime:
        return self._base.now() + self._offset


class Clockwork:
    """The jobs the scheduler runs, sharing one throttle and one stop flag."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.stop = threading.Event()
        self.throttle = make_throttle(deps.clock)
        self.scheduler: Any = None
        self._delivering = threading.Lock()
        self._last_delivery = time.monotonic()

    def tick_job(self) -> None:
        self.ensure_delivery()
        report = tick(self.deps, deliver=False)
        if report.rounds.started or report.checkins.rounds:
            log.info(
                "tick: %d rounds started, %d check-ins and %d reminders queued, %d closed",
                len(report.rounds.started),
                report.checkins.checkins,
                report.checkins.reminders,
                report.checkins.closed,
            )

    def deliver_job(self) -> None:
        if not self._delivering.acquire(blocking=False):
            return  # a run is in progress; it re-adds the job when it ends
        self._last_delivery = time.monotonic()
        try:
            report = DeliveryWorker(self.deps, throttle=self.throttle, stop=self.stop).run()
            if report.delivered or report.failed:
                log.info(
                    "delivered %d messages (%d already posted), %d failed, %d deferred",
                    report.delivered,
                    report.resolved,
                    report.failed,
                    report.deferred,
                )
        finally:
            self._last_delivery = time.monotonic()
            self._delivering.release()
            self.schedule_delivery(DELIVER_SECONDS)

    def ensure_delivery(self, *, quiet_for: float = WATCHDOG_SECONDS) -> None:
        """Watchdog (from the tick): the delivery job exists, or ran within ``quiet_for`` s."""
        if self.scheduler is None or self._delivering.locked():
            return
        if time.monotonic() - self._last_delivery < quiet_for:
            return  # between a run's dispatch and its start the job is legitimately absent
        if self.scheduler.get_job(DELIVER_JOB) is None:
            log.warning("delivery job was missing; adding it again")
            self.schedule_delivery(0)

    def schedule_delivery(self, after_seconds: float) -> None:
        """(Re-)add the delivery job to run once, ``after_seconds`` from now."""
        if self.scheduler is None or self.stop.is_set():
            return
        self.scheduler.add_job(
            self.deliver_job,
            "date",
            run_date=datetime.now(UTC) + timedelta(seconds=after_seconds),
            id=DELIVER_JOB,
            name="deliver the outbox",
            replace_existing=True,
        )

    def nudge_job(self) -> None:
        """Queue the nudges due now (the delivery job sends them)."""
        queue_due_nudges(self.deps, self.deps.clock.now())

    def prune_job(self) -> None:
        """Forget processed event ids older than a day (Slack stops retrying after minutes)."""
        with self.deps.unit_of_work() as session:
            prune_events(session=session, before=self.deps.clock.now() - EVENTS_KEPT_FOR)


def build_scheduler(deps: Deps, *, blocking: bool = True) -> tuple[Any, Clockwork]:
    """The APScheduler scheduler with SkillSwap's jobs (not started)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    clockwork = Clockwork(deps)
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        timezone=UTC,
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    start = datetime.now(UTC) + timedelta(seconds=1)
    scheduler.add_job(
        clockwork.tick_job,
        "interval",
        seconds=TICK_SECONDS,
        id=TICK_JOB,
        name="start due rounds, queue check-ins",
        replace_existing=True,
        next_run_time=start,
    )
    clockwork.scheduler = scheduler
    clockwork.schedule_delivery(1)
    scheduler.add_job(
        clockwork.prune_job,
        "interval",
        seconds=PRUNE_SECONDS,
        id=PRUNE_JOB,
        name="forget old Events API ids",
        replace_existing=True,
    )
    scheduler.add_job(
        clockwork.nudge_job,
        "interval",
        seconds=NUDGE_SECONDS,
        id=NUDGE_JOB,
        name="queue gentle nudges",
        replace_existing=True,
    )
    return scheduler, clockwork


def run_scheduler(deps: Deps) -> None:
    """Run the clock process until SIGTERM or SIGINT; the message in flight is finished."""
    if logging.getLogger().level > logging.DEBUG:
        # APScheduler logs every run of every job at INFO: four lines every five seconds.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler, clockwork = build_scheduler(deps, blocking=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("stopping the scheduler (signal %d)", signum)
        clockwork.stop.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started: jobs %s", ", ".join(j.id for j in scheduler.get_jobs()))
    scheduler.start()
