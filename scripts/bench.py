"""Throughput and latency of the full service next to a bare aiogram bot, on the same stream.

    python3 scripts/dev.py bench [--people 1000] [--updates 20000] [--active 200]

Many simulated people walk the real flows at once: each sends /start, then presses the first
button of the screen in front of them or writes a line, again and again. The same stream of
updates goes (a) to a bare aiogram Dispatcher with in-memory state that answers every message
and button, and (b) to the full service (real dialogs, i18n, encryption, the danger check, the
SQLite file database), both in process through the emulated Bot API (bot/emulator.py).

For each it prints updates per second, the time to handle an update (the reply is sent
within it) at p50 / p95 / p99, CPU time per update, peak memory and memory growth per
10,000 people, and last the ratio of the two throughputs. Measured, not asserted: the test
suite never times anything.

Not yet here (issue 12): the same over loopback HTTP through tests/fake_telegram.py, and on
PostgreSQL + Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram import Bot, Dispatcher, F  # noqa: E402
from aiogram.fsm.storage.memory import MemoryStorage  # noqa: E402
from aiogram.types import CallbackQuery, Message  # noqa: E402

from bot.emulator import DEFAULT_TOKEN, EmulatorSession, TelegramEmulator  # noqa: E402

LINES = (
    "здравствуйте",
    "мне нужен совет",
    "сәлеметсіз бе",
    "salom, yordam kerak",
    "what can I do",
    "ассалому алейкум",
)
FIRST_USER = 700_000_000


@dataclass
class Run:
    name: str
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0
    rss_half: int = 0
    rss_end: int = 0
    people: int = 0

    @property
    def updates(self) -> int:
        return len(self.latencies)

    def line(self) -> str:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

        growth = (self.rss_end - self.rss_half) / max(1, self.people // 2) * 10_000
        return (
            f"{self.name:<22} {self.updates / self.wall:8.0f} upd/s   "
            f"p50 {pct(0.50):6.1f}  p95 {pct(0.95):6.1f}  p99 {pct(0.99):6.1f} ms   "
            f"cpu {self.cpu / self.updates * 1000:5.2f} ms/upd   "
            f"peak {_peak_mb():5.0f} MB   +{growth / 2**20:5.1f} MB per 10k people"
        )


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _walk(
    emulator: TelegramEmulator,
    deliver: Callable[[dict[str, Any]], Awaitable[None]],
    people: int,
    updates: int,
    active: int,
    run: Run,
) -> None:
    """`people` walks of updates//people steps each, `active` people at a time."""
    steps = max(2, updates // people)
    rng = random.Random(7)
    semaphore = asyncio.Semaphore(active)
    half = people // 2

    async def person(index: int) -> None:
        user_id = FIRST_USER + index
        async with semaphore:
            emulator.add_private_user(user_id, "Bench", language_code=rng.choice(["ru", "ky"]))
            for step in range(steps):
                if step == 0:
                    update = emulator.user_sends_text(user_id, "/start")
                else:
                    screen = next(
                        (m for m in reversed(emulator.bot_messages(user_id)) if m.button_texts),
                        None,
                    )
                    if screen is not None and rng.random() < 0.7:
                        label = rng.choice(screen.button_texts[:3])
                        update = emulator.user_presses_button(
                            user_id, label, message_id=screen.message_id
                        )
                    else:
                        update = emulator.user_sends_text(user_id, rng.choice(LINES))
                started = time.perf_counter()
                await deliver(update)
                run.latencies.append(time.perf_counter() - started)
            if index == half:
                gc.collect()
                run.rss_half = _rss()

    await asyncio.gather(*(person(i) for i in range(people)))


async def bare(people: int, updates: int, active: int) -> Run:
    emulator = TelegramEmulator(DEFAULT_TOKEN)
    bot = Bot(DEFAULT_TOKEN, session=EmulatorSession(emulator))
    dp = Dispatcher(storage=MemoryStorage())

    @dp.message()
    async def answer(message: Message) -> None:
        await message.answer("ok")

    @dp.callback_query(F.data)
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()

    async def deliver(update: dict[str, Any]) -> None:
        emulator.drop_updates_before(update["update_id"] + 1)
        await dp.feed_raw_update(bot, update)

    run = Run("bare aiogram", people=people)
    await _measure(run, lambda: _walk(emulator, deliver, people, updates, active, run))
    await bot.session.close()
    return run


async def full(people: int, updates: int, active: int) -> Run:
    from bot.config import Settings
    from bot.offline import OfflineBot

    data = Path(tempfile.mkdtemp(prefix="bench-"))
    settings = Settings(_env_file=None, data_dir=data, redis_url=None)  # type: ignore[call-arg]
    offline = OfflineBot(settings)
    await offline.start()
    run = Run("full service, SQLite", people=people)
    try:
        await _measure(
            run, lambda: _walk(offline.emulator, offline.deliver, people, updates, active, run)
        )
    finally:
        await offline.stop()
        shutil.rmtree(data, ignore_errors=True)
    return run


async def _measure(run: Run, body: Callable[[], Awaitable[None]]) -> None:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    await body()
    run.wall = time.perf_counter() - wall
    run.cpu = time.process_time() - cpu
    gc.collect()
    run.rss_end = _rss()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--updates", type=int, default=20000)
    parser.add_argument("--active", type=int, default=200, help="people active at once")
    args = parser.parse_args(argv)
    print(
        f"{args.people} people, {args.updates} updates, {args.active} at once, in process "
        "(emulated Bot API); time per update includes sending the reply\n"
    )
    runs = [
        asyncio.run(bare(args.people, args.updates, args.active)),
        asyncio.run(full(args.people, args.updates, args.active)),
    ]
    for run in runs:
        print(run.line())
    ratio = (runs[1].updates / runs[1].wall) / (runs[0].updates / runs[0].wall)
    print(f"\nfull service / bare aiogram throughput (in process): {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
