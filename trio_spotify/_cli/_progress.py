"""How the crawler shows what it is doing: a live line on a terminal, periodic lines otherwise.

Both reporters show the same figures (a `Snapshot`): records written, records
already there, requests sent, 429 answers, retries, errors and the rate in records per
second. On a terminal, `RichReporter` redraws one status line a few times a second
with [rich](https://rich.readthedocs.io) (the `cli` extra; imported only when used, so
the library itself never needs it). When standard error is a file or a pipe (a log, CI),
`PlainReporter` prints a `progress:` line every `interval` seconds instead —
escape codes would only garble a log. Errors and notes go through the reporter so that they
do not tear the live line. Both print a summary at the end.

The crawl never depends on its message stream: when writing to it fails (`2>&1 | head`
closed the pipe, `2>/dev/full`), a reporter stops writing there and the crawl goes on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import IO, Any, Protocol

import attrs
import trio

__all__ = [
    "PlainReporter",
    "Reporter",
    "RichReporter",
    "Snapshot",
    "format_duration",
    "format_figures",
    "plural",
    "say",
]


@attrs.frozen
class Snapshot:
    """The crawl's figures at one moment."""

    items: int
    skipped: int
    errors: int
    requests: int
    rate_limited: int
    retries: int
    elapsed: float
    #: Input values settled so far, for a crawl of a list of IDs (`None` otherwise).
    done: int | None = None
    #: Input values in all, when known (a file; not standard input).
    total: int | None = None
    #: IDs Spotify did not know (each written with `"data": null`).
    not_found: int = 0

    @property
    def rate(self) -> float:
        """Records written per second since the start."""
        return self.items / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds until every input value is settled at the rate so far, when known."""
        if self.done is None or self.total is None or self.done <= 0 or self.elapsed <= 0:
            return None
        return max(self.total - self.done, 0) * self.elapsed / self.done


def say(stream: IO[str], line: str) -> None:
    """Print `line`; a message stream that fails (closed pipe, full disk) is ignored."""
    with contextlib.suppress(OSError):
        print(line, file=stream, flush=True)


def plural(count: int, word: str, words: str | None = None) -> str:
    """`"1 request"`, `"2 requests"`, `"1,234 items"`."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def format_duration(seconds: float) -> str:
    """`"42 s"`, `"3 min 05 s"`, `"2 h 07 min"`."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def format_position(s: Snapshot) -> str:
    """`"1,200/5,000 IDs (24%), ETA 12 s, "` for a crawl of a list of IDs, else `""`."""
    if s.done is None:
        return ""
    if s.total is None:
        return f"{plural(s.done, 'ID')} read, "
    share = f" ({100 * s.done // s.total}%)" if s.total else ""
    eta = s.eta
    shown = f", ETA {format_duration(eta)}" if eta is not None and s.done < s.total else ""
    return f"{s.done:,}/{plural(s.total, 'ID')}{share}{shown}, "


def format_figures(s: Snapshot) -> str:
    """One line of figures: `"1,234 items, 56 requests, 0 rate-limited, ..."`."""
    already = f" ({s.skipped:,} already there)" if s.skipped else ""
    missing = f", {s.not_found:,} not found" if s.not_found else ""
    return (
        f"{format_position(s)}{plural(s.items, 'item')}{already}{missing}, "
        f"{plural(s.requests, 'request')}, {s.rate_limited:,} rate-limited, "
        f"{plural(s.retries, 'retry', 'retries')}, {plural(s.errors, 'error')}, "
        f"{s.rate:,.1f} items/s, {s.elapsed:.1f} s"
    )


class Reporter(Protocol):
    """What the crawler tells the person running it."""

    def error(self, message: str) -> None:
        """Report one failed item (the crawl goes on)."""

    def note(self, message: str) -> None:
        """Report something worth knowing that is not an error."""

    async def run(self, snapshot: Callable[[], Snapshot]) -> None:
        """Show progress until cancelled. A checkpoint."""

    def finish(self, snapshot: Snapshot, outcome: str) -> None:
        """Print the summary line: `outcome` is `"done"`, `"interrupted"`, ..."""


class PlainReporter:
    """Plain lines on a stream: `progress: ...` every `interval` seconds (never if 0)."""

    def __init__(self, stream: IO[str], *, interval: float = 10.0, progress: bool = True) -> None:
        self._stream: IO[str] | None = stream
        self._interval = interval
        self._progress = progress

    def _print(self, line: str) -> None:
        if self._stream is None:
            return
        try:
            print(line, file=self._stream, flush=True)
        except OSError:  # the stream is gone (a closed pipe, a full disk): stop using it
            self._stream = None

    def error(self, message: str) -> None:
        self._print(f"error: {message}")

    def note(self, message: str) -> None:
        self._print(f"note: {message}")

    async def run(self, snapshot: Callable[[], Snapshot]) -> None:
        if not self._progress or self._interval <= 0:
            await trio.sleep_forever()
        while True:
            await trio.sleep(self._interval)
            self._print(f"progress: {format_figures(snapshot())}")

    def finish(self, snapshot: Snapshot, outcome: str) -> None:
        self._print(f"{outcome}: {format_figures(snapshot)}")


class RichReporter:
    """A live status line on a terminal, redrawn every `refresh` seconds by a trio task.

    rich's own refresh thread is not used (`auto_refresh=False`): the trio task redraws,
    so everything happens on the trio thread and stops with the task.
    """

    def __init__(self, stream: IO[str], *, title: str, refresh: float = 0.25) -> None:
        from rich.console import Console

        class _Console(Console):
            def on_broken_pipe(self) -> None:
                # rich's default points file descriptor 1 at /dev/null and exits: that
                # would silence the records on standard output. Stop writing here instead.
                self.quiet = True

        self._console = _Console(file=stream, stderr=True, highlight=False)
        self._title = title
        self._refresh = refresh
        #: Set when writing to the stream failed: nothing more is written to it.
        self._broken = False
        self._spinner: Any = None

    def _print(self, markup: str) -> None:
        if self._broken:
            return
        try:
            self._console.print(markup)
        except OSError:  # the stream is gone (a closed pipe, a full disk): stop using it
            self._broken = True

    def error(self, message: str) -> None:
        from rich.markup import escape

        self._print(f"[bold red]error[/]: {escape(message)}")

    def note(self, message: str) -> None:
        from rich.markup import escape

        self._print(f"[yellow]note[/]: {escape(message)}")

    def _render(self, s: Snapshot) -> Any:
        """The live line: one `Spinner` kept across redraws (a new one each time would
        start again at its first frame and never move), its text updated."""
        from rich.spinner import Spinner
        from rich.text import Text

        text = Text.assemble(
            (f"{self._title}  ", "bold"),
            (format_position(s), "bold"),
            (f"{s.items:,}", "bold green"),
            " item" if s.items == 1 else " items",
            (f"  {s.not_found:,} not found" if s.not_found else "", "yellow"),
            (f" ({s.skipped:,} already there)" if s.skipped else "", "dim"),
            "  ",
            (f"{s.requests:,}", "cyan"),
            " request" if s.requests == 1 else " requests",
            "  ",
            (f"{s.rate_limited:,}", "yellow" if s.rate_limited else ""),
            " rate-limited",
            "  ",
            (f"{s.retries:,}", "yellow" if s.retries else ""),
            " retry" if s.retries == 1 else " retries",
            "  ",
            (f"{s.errors:,}", "red" if s.errors else ""),
            " error" if s.errors == 1 else " errors",
            "  ",
            (f"{s.rate:,.0f}", "bold"),
            " items/s",
            (f"  {s.elapsed:.0f} s", "dim"),
        )
        if self._spinner is None:
            self._spinner = Spinner("dots", text=text)
        else:
            self._spinner.update(text=text)
        return self._spinner

    async def run(self, snapshot: Callable[[], Snapshot]) -> None:
        try:
            await self._live(snapshot)
        except OSError:  # the stream is gone: no more live line, the crawl goes on
            self._broken = True
        await trio.sleep_forever()

    async def _live(self, snapshot: Callable[[], Snapshot]) -> None:
        from rich.live import Live

        if self._broken:
            return
        with Live(
            self._render(snapshot()),
            console=self._console,
            auto_refresh=False,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        ) as live:
            while not self._broken:
                live.update(self._render(snapshot()), refresh=True)
                await trio.sleep(self._refresh)

    def finish(self, snapshot: Snapshot, outcome: str) -> None:
        colour = "green" if outcome == "done" else "yellow"
        self._print(f"[bold {colour}]{outcome}[/]: {format_figures(snapshot)}")
