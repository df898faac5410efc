"""A fake Telegram Bot API server on loopback, backed by a TelegramEmulator.

End-to-end tests start it, point the real bot process at it with
`TelegramAPIServer.from_base(server.base_url)` (TELEGRAM_API_BASE), drive people through the
emulator and wait for the bot's answers:

    async with run_fake_telegram(emulator) as server:
        ...start the bot with TELEGRAM_API_BASE=server.base_url and the emulator's token...
        emulator.user_sends_text(42, "/start")
        message = await server.wait_for_bot_message(42, contains="Welcome")

It answers like Telegram: `{"ok": true, "result": ...}` or `{"ok": false, "error_code": ...,
"description": ..., "parameters": ...}` with the HTTP status equal to error_code. getUpdates
long-polls; while a webhook is set, queued updates are POSTed to it instead (with the secret
header, retried on failure, and a method in the webhook's response is executed).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from bot.emulator import (
    ChatMessage,
    EmulatorError,
    TelegramEmulator,
    TelegramError,
    UploadedFile,
    WebhookConfig,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

_API_PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]*)/?")
_FILE_PATH = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)")
MAX_POLL_TIMEOUT = 50.0  # Telegram does not hold a getUpdates longer than this


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to POST an update to the webhook."""

    update_id: int
    url: str
    status: int | None  # HTTP status, None if the connection failed
    error: str | None


def _json_response(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(
        body, status=status, dumps=lambda data: json.dumps(data, ensure_ascii=False)
    )


def _error_response(error: TelegramError) -> web.Response:
    return _json_response(error.to_json(), status=error.status)


class FakeTelegramServer:
    """The HTTP face of a TelegramEmulator. Create it with `run_fake_telegram`."""

    def __init__(
        self,
        emulator: TelegramEmulator,
        *,
        webhook_retry_delay: float = 0.05,
        webhook_max_retry_delay: float = 1.0,
        webhook_timeout: float = 10.0,
    ) -> None:
        self.emulator = emulator
        self.base_url = ""
        self.deliveries: list[WebhookDelivery] = []
        # Problems of the emulator itself (a method it lacks); a test should assert none.
        self.emulator_errors: list[str] = []
        self._retry_delay = webhook_retry_delay
        self._max_retry_delay = webhook_max_retry_delay
        self._webhook_timeout = webhook_timeout
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._delivery_task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self._closing = False
        self._garbled: dict[str, int] = {}

    def garble_next(self, method: str, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with "ok" and a result no client can
        read (a string where an object belongs), as a broken proxy or API change might."""
        self._garbled[method.lower()] = self._garbled.get(method.lower(), 0) + times

    @property
    def api(self) -> TelegramAPIServer:
        """For `AiohttpSession(api=server.api)`."""
        return TelegramAPIServer.from_base(self.base_url)

    # ---- lifecycle --------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._loop = asyncio.get_running_loop()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.base_url = f"http://{bound_host}:{bound_port}"
        self._client = aiohttp.ClientSession()
        self.emulator.add_listener(self._on_emulator_change)
        self._delivery_task = asyncio.create_task(self._deliver_forever())

    async def close(self) -> None:
        self._closing = True
        self.emulator.remove_listener(self._on_emulator_change)
        self._signal()  # releases long polls, which then answer with what they have
        if self._delivery_task is not None:
            self._delivery_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery_task
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def _on_emulator_change(self) -> None:
        # The emulator may be driven from another thread; the event belongs to our loop.
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._signal)

    def _signal(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _wait_change(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    # ---- waiting helpers for tests ----------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[TelegramEmulator], T],
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline, not a request timeout
        description: str = "the condition",
    ) -> T:
        """Wait until `predicate(emulator)` is truthy and return its value; TimeoutError
        (listing the bot's recent API calls) if it does not happen within `timeout` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            value = predicate(self.emulator)
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = [name for name, _ in self.emulator.calls[-10:]]
                raise TimeoutError(
                    f"waited {timeout} s for {description}; last API calls: {recent}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.25))

    async def wait_for_bot_message(
        self,
        chat_id: int,
        contains: str | None = None,
        *,
        after_message_id: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline, not a request timeout
    ) -> ChatMessage:
        """The first visible bot message in the chat newer than `after_message_id` whose
        text contains `contains` (any, if None)."""

        def find(emulator: TelegramEmulator) -> ChatMessage | None:
            with contextlib.suppress(EmulatorError):  # the chat may not exist yet
                for message in emulator.bot_messages(chat_id):
                    if message.message_id > after_message_id and (
                        contains is None or contains in (message.text or "")
                    ):
                        return message
            return None

        return await self.wait_for(
            find, timeout, f"a bot message in chat {chat_id} containing {contains!r}"
        )

    # ---- HTTP -------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if file_match := _FILE_PATH.fullmatch(request.path):
            return self._serve_file(file_match["token"], file_match["path"])
        match = _API_PATH.fullmatch(request.path)
        if match is None or not match["method"]:
            return _error_response(TelegramError(404, "Not Found"))
        if not self.emulator.check_token(match["token"]):
            return _error_response(TelegramError(401, "Unauthorized"))
        try:
            params = await self._read_params(request)
        except (ValueError, aiohttp.ContentTypeError):
            return _error_response(TelegramError(400, "Bad Request: can't parse request body"))
        method = match["method"]
        if self._garbled.get(method.lower(), 0) > 0:
            self._garbled[method.lower()] -= 1
            return _json_response({"ok": True, "result": "<html>Service Unavailable</html>"})
        try:
            if method.lower() == "getupdates":
                await self._long_poll(params)
            result = self.emulator.call(method, params)
        except TelegramError as error:
            return _error_response(error)
        except EmulatorError as error:
            logger.error("Emulator cannot serve %s: %s", method, error)
            self.emulator_errors.append(f"{method}: {error}")
            return _json_response(
                {"ok": False, "error_code": 501, "description": f"Not Implemented: {error}"},
                status=501,
            )
        return _json_response({"ok": True, "result": result})

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        # Telegram takes parameters from the query string and from a form, multipart or JSON
        # body alike; nested objects are JSON strings in forms and plain JSON in JSON bodies.
        params: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return params
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = UploadedFile(value.filename, value.file.read())
            else:
                params[key] = value
        return params

    async def _long_poll(self, params: dict[str, Any]) -> None:
        """Hold a getUpdates until there is an update, the timeout passes, or another
        getUpdates arrives (then this one fails with 409, as on Telegram)."""
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal()  # an earlier long poll must notice it has been replaced
        if self.emulator.webhook is not None:
            return  # the emulator answers with the webhook conflict
        try:
            offset = int(params.get("offset") or 0)
            seconds = min(float(params.get("timeout") or 0), MAX_POLL_TIMEOUT)
        except (TypeError, ValueError):
            return  # the emulator reports the bad parameter
        if offset > 0:
            self.emulator.drop_updates_before(offset)  # confirmed at once, before waiting
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._closing:
            changed = self._changed
            if generation != self._poll_generation:
                raise TelegramError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            remaining = deadline - loop.time()
            if (
                offset < 0
                or remaining <= 0
                or self.emulator.pending_update_count()
                or self.emulator.webhook is not None
            ):
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _serve_file(self, token: str, path: str) -> web.Response:
        if not self.emulator.check_token(token):
            return _error_response(TelegramError(401, "Unauthorized"))
        try:
            return web.Response(body=self.emulator.file_content_by_path(path))
        except EmulatorError:
            return _error_response(TelegramError(404, "Not Found"))

    # ---- webhook ----------------------------------------------------------------------------

    async def _deliver_forever(self) -> None:
        delay = self._retry_delay
        while not self._closing:
            changed = self._changed
            webhook = self.emulator.webhook
            pending = self.emulator.pending_updates(1) if webhook is not None else []
            if webhook is None or not pending:
                await changed.wait()
                continue
            update = pending[0]
            status, error = await self._post_update(webhook, update)
            self.deliveries.append(
                WebhookDelivery(update["update_id"], webhook.url, status, error)
            )
            if error is None:
                self.emulator.drop_updates_before(update["update_id"] + 1)
                delay = self._retry_delay
                continue
            # Telegram keeps the update and tries again later, remembering the error.
            self.emulator.record_webhook_error(error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_retry_delay)

    async def _post_update(
        self, webhook: WebhookConfig, update: dict[str, Any]
    ) -> tuple[int | None, str | None]:
        assert self._client is not None
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        try:
            async with self._client.post(
                webhook.url,
                data=json.dumps(update, ensure_ascii=False).encode(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self._webhook_timeout),
            ) as response:
                if not 200 <= response.status < 300:
                    return response.status, (
                        f"Wrong response from the webhook: {response.status} {response.reason}"
                    )
                await self._run_webhook_reply(response)
                return response.status, None
        except TimeoutError:
            return None, "Read timeout expired"
        except aiohttp.ClientError as exc:
            return None, f"Connection failed: {exc}"

    async def _run_webhook_reply(self, response: aiohttp.ClientResponse) -> None:
        """A webhook may answer with one method call (aiogram does with
        handle_in_background=False); Telegram executes it and reports nothing back."""
        params: dict[str, Any] = {}
        if response.content_type == "application/json":
            body = await response.json(content_type=None)
            if isinstance(body, dict):
                params = body
        elif response.content_type.startswith("multipart/"):
            reader = aiohttp.MultipartReader(response.headers, response.content)
            while (part := await reader.next()) is not None:
                if not isinstance(part, aiohttp.BodyPartReader) or not part.name:
                    continue
                if part.filename:
                    params[part.name] = UploadedFile(part.filename, bytes(await part.read()))
                else:
                    params[part.name] = await part.text()
        method = params.pop("method", None)
        if not method:
            return
        try:
            self.emulator.call(str(method), params)
        except TelegramError as error:
            logger.info("Webhook reply %s failed: %s", method, error.description)
        except EmulatorError as error:
            self.emulator_errors.append(f"{method}: {error}")


@asynccontextmanager
async def run_fake_telegram(
    emulator: TelegramEmulator,
    host: str = "127.0.0.1",
    port: int = 0,
    **options: Any,
) -> AsyncIterator[FakeTelegramServer]:
    """Serve `emulator` on http://host:port (a free port if 0) for the duration of the block;
    the yielded server has `base_url` and the `wait_for*` helpers."""
    server = FakeTelegramServer(emulator, **options)
    await server.start(host, port)
    try:
        yield server
    finally:
        await server.close()
