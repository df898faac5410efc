# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY migrations ./migrations
# Only the dependencies go into the venv: the code runs from /app, next to locales/,
# resources/ and migrations/, which it finds relative to itself.
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir . \
    && /venv/bin/pip uninstall -y survivor-help-bot

FROM python:3.11-slim
# A user with no login and no home: the bot needs to write only to /data.
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin bot \
    && mkdir /data && chown bot /data && chmod 700 /data
WORKDIR /app
COPY --from=build /venv /venv
COPY alembic.ini ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY migrations ./migrations
COPY locales ./locales
COPY resources ./resources
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 DATA_DIR=/data
USER bot
VOLUME /data
EXPOSE 8080
# Migrations run explicitly first (and again, harmlessly, when the bot starts).
CMD ["sh", "-c", "python -m bot migrate && exec python -m bot run"]
