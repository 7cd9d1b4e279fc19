"""``skilltree run``: every adapter whose credentials are set, the scheduler, one HTTP server.

The composition root for a long-running bot. Imports of platform packages happen here, inside
the function, so a console-only user never loads discord.py or slack-bolt.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from datetime import timedelta

from aiohttp import web

from bot.clock import Clock
from bot.config import Settings
from bot.core import Core
from bot.main.adapters import configured_adapters
from bot.main.bootstrap import build_core
from bot.main.metrics import Metrics
from bot.ports import Adapter

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024


def build_http_app(core: Core, metrics: Metrics | None = None) -> web.Application:
    """Health (liveness), readiness (a database ping) and, with ``metrics``, Prometheus
    ``/metrics``; adapters and pages add their own routes."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def readyz(_: web.Request) -> web.Response:
        ok = await core.db.ping()
        return web.json_response({"ok": ok, "database": ok}, status=200 if ok else 503)

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if metrics is not None:

        async def prometheus(_: web.Request) -> web.Response:
            body, content_type = metrics.render()
            return web.Response(body=body, headers={"Content-Type": content_type})

        app.router.add_get("/metrics", prometheus)
    if core.web_links is not None:
        from bot.web import add_routes

        add_routes(app, core, core.web_links)
    if core.calendar_links is not None:
        from bot.calendar_web import add_calendar_routes

        add_calendar_routes(app, core, core.calendar_links)
    return app


def _install_signal_handlers(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


def settle_heap() -> None:
    """Take what start-up built (modules, curriculum, engine, adapters: ~90,000 objects that
    live as long as the process) out of the garbage collector's scans. A full collection then
    walks only what commands keep, e.g. a big group's boards: a few milliseconds instead of a
    50–100 ms pause in whichever command triggers it."""
    gc.freeze()
    log.debug("start-up objects left out of garbage collection: %d", gc.get_freeze_count())


async def run(
    settings: Settings, *, stop: asyncio.Event | None = None, clock: Clock | None = None
) -> None:
    """Run until ``stop`` is set (SIGTERM/SIGINT set it) or an adapter stops by itself; then
    stop taking work, let in-flight deliveries finish and close everything.

    Every adapter in the registry whose credentials are set is built, started, watched and
    stopped alike. Settings that cannot work end the process with one line (exit status 2)
    before anything starts; a platform that refuses to start (a rejected token) stops the bot,
    logged.
    """
    from scheduler.job import PromptScheduler
    from scheduler.service import PromptService

    try:
        classes = configured_adapters(settings)
    except ValueError as exc:
        log.error("not starting: %s", exc)
        raise SystemExit(2) from None
    stop = stop or asyncio.Event()
    _install_signal_handlers(stop)
    core = await build_core(settings, clock=clock)
    metrics = Metrics()
    metrics.interval = settings.scheduler_interval_seconds
    core.observer = metrics.observe_command
    http = build_http_app(core, metrics)
    adapters: list[Adapter] = []
    watchers: list[asyncio.Task[None]] = []
    runner = web.AppRunner(http, access_log=None)
    prompts: PromptScheduler | None = None
    try:
        adapters = [cls(core, settings, http) for cls in classes]
        service = PromptService(
            core,
            {a.name: metrics.notifier(a.notifier()) for a in adapters},
            grace=timedelta(hours=settings.reminder_grace_hours),
            concurrency=settings.delivery_concurrency,
            observer=metrics,  # a TickObserver: each tick's timing and deliveries
        )
        prompts = PromptScheduler(
            service, core.clock, interval_seconds=settings.scheduler_interval_seconds
        )
        await runner.setup()
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
        log.info("HTTP server on %s:%s", settings.host, settings.port)
        for adapter in adapters:
            try:
                await adapter.start()
            except Exception as exc:
                log.error("the %s adapter could not start: %r", adapter.name, exc)
                return
            watchers.append(asyncio.create_task(adapter.wait_stopped(), name=adapter.name))
        prompts.start()
        settle_heap()
        waiter = asyncio.create_task(stop.wait(), name="stop")
        done, _ = await asyncio.wait({waiter, *watchers}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        for task in done - {waiter}:
            log.error("the %s adapter stopped: %r", task.get_name(), task.exception())
    finally:
        stop.set()
        log.info("stopping: no new work; finishing in-flight deliveries")
        if prompts is not None:
            await prompts.shutdown()
        for task in watchers:
            task.cancel()
        for adapter in reversed(adapters):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(adapter.stop(), timeout=10)
        await runner.cleanup()
        await core.db.close()
        log.info("stopped")
