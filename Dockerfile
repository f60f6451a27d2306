FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    EXTERIOR_DB_PATH=/data/exterior-bot.sqlite3 \
    EXTERIOR_WEBHOOK_PORT=8080

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY storage ./storage
RUN pip install . \
    && useradd --create-home --uid 10001 exterior \
    && mkdir -p /data && chown exterior:exterior /data

USER exterior
# Relative paths (a .env's EXTERIOR_DB_PATH=exterior-bot.sqlite3, the CLI's results/, the
# sandbox's state file) land in the volume too: data stays in /data unless a setting says
# otherwise with an absolute path.
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"EXTERIOR_WEBHOOK_PORT\",\"8080\")}/healthz', timeout=4)"
CMD ["exterior-bot", "run"]
