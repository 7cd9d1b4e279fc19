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
from bot.main.bootstrap import build_core
from bot.main.metrics import Metrics
from bot.ports import Notifier

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
    return app


def _install_signal_handlers(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


def _check_discord_shards(settings: Settings) -> None:
    """``DISCORD_SHARD_COUNT`` / ``DISCORD_SHARD_IDS`` that cannot work stop the process with a
    one-line error (exit status 2) rather than a traceback."""
    from adapters.discord.sharding import ShardPlan, ShardSettingsError

    try:
        ShardPlan.parse(settings.discord_shard_count, settings.discord_shard_ids)
    except ShardSettingsError as exc:
        log.error("not starting: %s", exc)
        raise SystemExit(2) from None


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
    """Run until ``stop`` is set (SIGTERM/SIGINT set it); then stop taking work, let in-flight
    deliveries finish and close everything."""
    from bot.main.metrics import MeteredPromptService
    from scheduler.job import PromptScheduler

    if settings.discord_token is not None:
        _check_discord_shards(settings)  # before anything starts: bad shards are one clear line
    stop = stop or asyncio.Event()
    _install_signal_handlers(stop)
    core = await build_core(settings, clock=clock)
    metrics = Metrics()
    metrics.interval = settings.scheduler_interval_seconds
    core.observer = metrics.observe_command
    notifiers: dict[str, Notifier] = {}
    http = build_http_app(core, metrics)
    tasks: list[asyncio.Task[None]] = []
    socket_handler = None

    if settings.has_slack:
        from adapters.slack.app import build_slack_app
        from adapters.slack.client import make_web_client
        from adapters.slack.notifier import SlackNotifier
        from adapters.slack.web import add_slack_routes

        client = make_web_client(settings)
        bolt = build_slack_app(core, settings, client=client)
        # With OAuth installs each workspace has its own token, found in the installation
        # store; with one SLACK_BOT_TOKEN the store is None and the client's token is used.
        slack = SlackNotifier(client, installation_store=bolt.installation_store)
        notifiers["slack"] = metrics.notifier(slack)
        if settings.slack_app_token is not None:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            socket_handler = AsyncSocketModeHandler(
                bolt, settings.slack_app_token.get_secret_value(), web_client=client
            )
        elif settings.slack_signing_secret is not None:
            add_slack_routes(http, bolt, settings.slack_signing_secret.get_secret_value())
        else:
            log.error(
                "Slack credentials are set without SLACK_SIGNING_SECRET or SLACK_APP_TOKEN;"
                " Slack is off"
            )
            notifiers.pop("slack")

    if settings.discord_token is not None:
        from adapters.discord.runner import serve_discord

        def on_notifier(n: Notifier) -> None:
            notifiers["discord"] = metrics.notifier(n)

        tasks.append(
            asyncio.create_task(
                serve_discord(core, settings, stop, on_notifier=on_notifier), name="discord"
            )
        )

    service = MeteredPromptService(
        core,
        notifiers,
        grace=timedelta(hours=settings.reminder_grace_hours),
        concurrency=settings.delivery_concurrency,
        metrics=metrics,
    )
    prompts = PromptScheduler(
        service, core.clock, interval_seconds=settings.scheduler_interval_seconds
    )

    runner = web.AppRunner(http, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
        log.info("HTTP server on %s:%s", settings.host, settings.port)
        if socket_handler is not None:
            await socket_handler.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack Socket Mode connected")
        prompts.start()
        settle_heap()
        waiter = asyncio.create_task(stop.wait(), name="stop")
        done, _ = await asyncio.wait({waiter, *tasks}, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not waiter and task.exception() is not None:
                log.error("an adapter stopped: %r", task.exception())
        stop.set()
    finally:
        log.info("stopping: no new work; finishing in-flight deliveries")
        await prompts.shutdown()
        if socket_handler is not None:
            await socket_handler.close_async()  # type: ignore[no-untyped-call]
        for task in tasks:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=10)
        await runner.cleanup()
        await core.db.close()
        log.info("stopped")
