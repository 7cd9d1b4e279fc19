"""The Slack adapter: Bolt app, Block Kit rendering, notifier and runner (HTTP or Socket Mode).

Importing this package does no I/O; ``build_slack_app`` and ``serve_slack`` wire things up.
"""

from adapters.slack.app import build_slack_app
from adapters.slack.notifier import SlackNotifier
from adapters.slack.render import render_blocks
from adapters.slack.runner import serve_slack

__all__ = ["SlackNotifier", "build_slack_app", "render_blocks", "serve_slack"]
