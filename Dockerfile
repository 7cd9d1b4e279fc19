# syntax=docker/dockerfile:1
# skilltree-bot: `skilltree run` (every adapter whose credentials are set, the weekly
# scheduler, and one HTTP server with /healthz, /readyz, /metrics and Slack's endpoint).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

# A CJK font so the leaderboard pictures can draw Chinese titles. Debian's version follows the
# base image's release, so it is not pinned.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 skilltree \
    && useradd --system --uid 10001 --gid skilltree --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin skilltree \
    && mkdir -p /data \
    && chown skilltree:skilltree /data \
    && python -m venv /opt/venv

WORKDIR /src

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
COPY docker/install.sh docker/
RUN sh docker/install.sh deps /src

# Then the bot itself, built from source (curriculum data and migrations are package data).
COPY . .
RUN sh docker/install.sh app /src

# SQLite on the /data volume unless DATABASE_URL says otherwise (PostgreSQL: see README).
ENV DATABASE_URL=sqlite+aiosqlite:////data/skilltree.db \
    HOST=0.0.0.0 \
    PORT=3000 \
    OUTPUT_DIR=/data/out
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

# SIGTERM (docker stop): stop taking work, finish in-flight deliveries, close, exit 0.
STOPSIGNAL SIGTERM
CMD ["skilltree", "run"]
