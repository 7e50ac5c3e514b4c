"""What asyncdemo's Python twins share: flags, the event printer, JSON Lines.

Each twin is a lesson of asyncdemo written in modern Python (3.11+). It prints
the same events as the Go lesson's aio style, in the same two forms:

  human:  "  1.002s  Waiting: 2" lines under "── concurrent · python ──",
          then "  total 4.003s"
  --json: one object per line, the schema of asyncdemo's timing/event.go:
          {"kind":"event","t":1.002,"run":"concurrent","style":"python",
           "task":"do_some_work(2)","text":"Waiting: 2"}

Virtual time (--virtual-time, a hidden flag that asyncdemo's tests pass):
the twin runs on a clock of its own instead of the machine's, as the Go
lesson runs in a testing/synctest bubble, so that a loaded machine cannot
change a printed time. Only the clock changes; the loop is CPython's own:

  * every event loop's time() reads the virtual clock, which starts at 0;
  * when a loop would wait in select() with a timeout, it first polls its
    selector for real with no timeout (sockets and the self-pipe still work)
    and, if nothing is ready, the clock jumps forward by that timeout
    instead of the process sleeping; a wait with no timeout is a real one;
  * time.sleep() advances the clock by its duration and returns at once,
    so a coroutine that blocks the loop with it still takes its time;
  * the Recorder's times (events, totals, spans) are the virtual clock's;
  * rec.timer() fires at its virtual instant, from the main thread, while
    the loop waits (or sleeps): cancel's Ctrl+C is then a real SIGINT that
    interrupts the loop's select(), or time.sleep(), as a real one would.

Work done in other threads does not move the clock: virtual time is for the
twins whose loops only sleep (not thread, queue, sms or workers). CPU time
costs no virtual time, as in a bubble.
"""

import sys

# The twins sit in one directory, and a script's directory comes first on
# sys.path; one twin is named queue.py, like the standard library's queue
# module, which redis-py and thread pools import. Move the directory last so
# that `import queue` finds the real one. (Import this module first.)
sys.path.append(sys.path.pop(0))

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import math
import os
import re
import signal
import threading
import time
import weakref

from _asyncrec import (RecordingLoop, RecordingPolicy, Sink, VirtualClock, VirtualSelector, VirtualTimer,
                       task_label, task_state)

STYLE = "python"
MAX_SECONDS = 3600

# Exit codes, as asyncdemo's: 2 a bad flag, 3 a missing module, 130 Ctrl+C,
# 143 SIGTERM.
EXIT_FAILURE, EXIT_USAGE, EXIT_MODULES, EXIT_OLD_PYTHON, EXIT_INTERRUPTED, EXIT_TERMINATED = 1, 2, 3, 4, 130, 143

if sys.version_info < (3, 11):
    sys.stderr.write("the python twins need Python 3.11 or newer (TaskGroup, asyncio.timeout); "
                     "this is %d.%d\n" % sys.version_info[:2])
    sys.exit(EXIT_OLD_PYTHON)

# Ctrl+C must raise KeyboardInterrupt even if whoever started us ignored
# SIGINT (a shell's background job, some test runners): the lessons about
# Ctrl+C depend on it.
signal.signal(signal.SIGINT, signal.default_int_handler)

# SIGTERM (kill, a service manager) stops a twin as Ctrl+C does, through its
# own clean-up (a queue consumer puts back what it took), and it exits 143.
# It calls whatever handles Ctrl+C now: asyncio.run's, which cancels its main
# task, or Python's, which raises KeyboardInterrupt.
_terminated = False


def _on_sigterm(signum, frame):
    global _terminated
    _terminated = True
    handler = signal.getsignal(signal.SIGINT)
    if not callable(handler):
        raise KeyboardInterrupt
    handler(signal.SIGINT, frame)


signal.signal(signal.SIGTERM, _on_sigterm)


def need_modules(lesson):
    """Exit with one line, not a traceback, if redis or aiohttp is missing."""
    try:
        import aiohttp  # noqa: F401
        import redis.asyncio  # noqa: F401
    except ImportError:
        sys.stderr.write(f"the python twin of {lesson} needs the redis and aiohttp modules: "
                         "apt-get install python3-redis python3-aiohttp (or pip install redis aiohttp)\n")
        sys.exit(EXIT_MODULES)


# ── numbers and names, printed the way the Go lessons print them ──

def num(x):
    """2.0 -> "2", 0.5 -> "0.5": a number as Go's %v prints it."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e21:
        return str(int(x))
    return repr(x) if isinstance(x, float) else str(x)


def call(fn, *args):
    """The tutorial's task names: call("do_some_work", 2) -> "do_some_work(2)"."""
    return f"{fn}({', '.join(num(a) for a in args)})"


def state(task):
    """A task's state as the lessons name it: pending, finished or cancelled."""
    if task.cancelled():
        return "cancelled"
    return "finished" if task.done() else "pending"


def errtext(e):
    """An exception as one line: "TimeoutError", "ValueError: bad"; any URL
    in it redacted, as asyncdemo's are."""
    text = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    return _ANY_URL.sub(lambda m: redacted(m[0]), text)


_USER_INFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@")
_ANY_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>()]+")


def redacted(url):
    """The URL as it may be printed, as smsapi.Redacted words it: its user
    name and password replaced by xxxxx, its query and fragment by …, since
    secrets travel there (http://xxxxx@host:5000/send?…)."""
    i = min((j for j in (url.find("?"), url.find("#")) if j >= 0), default=-1)
    if i >= 0:
        url = url[:i + 1] + "…"
    return _USER_INFO.sub(r"\1xxxxx@", url)


def goquote(s):
    """A string quoted as Go's %q quotes it (enough for queue messages)."""
    return json.dumps(s, ensure_ascii=False).replace("\\u007f", "\\x7f")


# ── flags ──

class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as asyncdemo does
        sys.stderr.write(f"{self.prog}: {message}\n")
        sys.exit(EXIT_USAGE)


def seconds(s):
    """A duration in seconds, "2" or "0.5", from 0 to an hour."""
    try:
        x = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a number of seconds") from None
    if math.isnan(x) or math.isinf(x) or not 0 <= x <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"{s!r} is out of range (0 to {MAX_SECONDS} seconds)")
    return x


def http_url(s):
    """--url: an http:// or https:// URL with a host, as smsapi.ParseURL
    takes; the error names it redacted."""
    from urllib.parse import urlsplit
    try:
        if any(c.isspace() or not c.isprintable() for c in s):
            raise ValueError(s)
        u = urlsplit(s)
        port = u.port  # a port that is not a number raises ValueError here
    except ValueError:
        raise argparse.ArgumentTypeError(f"{goquote(redacted(s))} is not a URL (want http://HOST:PORT)") from None
    if u.scheme not in ("http", "https"):
        raise argparse.ArgumentTypeError(f"{goquote(redacted(s))} is not an http:// or https:// URL (want http://HOST:PORT)")
    if not u.hostname:
        raise argparse.ArgumentTypeError(f"{goquote(redacted(s))} has no host (want http://HOST:PORT)")
    if port == 0:
        raise argparse.ArgumentTypeError(f"{goquote(redacted(s))} has port 0, not one from 1 to 65535")
    return s


def durations(s):
    """A comma-separated list of durations: "1,2,4"."""
    if not s.strip():
        raise argparse.ArgumentTypeError("no durations given (want a list such as 1,2,4)")
    return [seconds(part) for part in s.split(",")]


def go_duration(s):
    """A Go duration ("0.8s", "800ms", "1m") or plain seconds ("2.5")."""
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    parts = re.findall(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)", s)
    if parts and "".join(n + u for n, u in parts) == s:
        x = sum(float(n) * units[u] for n, u in parts)
    else:
        try:
            x = seconds(s)
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(f"{s!r} is not a duration (such as 0.8s or 2.5)") from None
    if not 0 <= x <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"{s!r} is out of range (0 to {MAX_SECONDS} s)")
    return x


def scale_factor(s):
    try:
        f = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a number") from None
    if math.isnan(f) or not 0 < f <= 100:
        raise argparse.ArgumentTypeError(f"{s!r} is out of range (more than 0, at most 100)")
    return f


def count(lo, hi):
    def parse(s):
        try:
            n = int(s.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{s!r} is not a whole number") from None
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"{s!r} is out of range ({lo} to {hi})")
        return n
    return parse


def parser(lesson, doc):
    """The flags every twin takes; a twin adds its own."""
    p = _Parser(prog=f"{lesson}.py", description=doc)
    p.add_argument("--scale", type=scale_factor, default=1.0, metavar="F",
                   help="multiply every duration by F (0.1 turns 4 s into 0.4 s)")
    p.add_argument("--json", action="store_true", help="print one JSON object per event and nothing else")
    p.add_argument("--no-compare", action="store_true", help="skip the sequential run")
    p.add_argument("--no-color", action="store_true", help="no colour")
    # asyncdemo's --vs python asks for the runs' spans and marks too, to draw
    # this run's timeline under its own.
    p.add_argument("--spans", action="store_true", help=argparse.SUPPRESS)
    # asyncdemo's tests run a twin on a virtual clock, as the Go lesson in a
    # synctest bubble: see this module's docstring.
    p.add_argument("--virtual-time", action="store_true", help=argparse.SUPPRESS)
    return p


def redis_flags(p, messages, mode):
    """The flags of the lessons that consume the Redis queue."""
    p.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"), metavar="URL",
                   help="the Redis to consume (default $REDIS_URL, else the tutorial's 127.0.0.1 db 3)")
    p.add_argument("--mode", choices=["poll", "block"], default=mode,
                   help="poll: take, sleeping 1 s when empty; block: wait in Redis")
    p.add_argument("--unsafe", action="store_true", help="take with plain RPOP/BRPOP, as the tutorial does")
    p.add_argument("--idle", type=seconds, default=None, metavar="S",
                   help="stop once the queue has been idle S seconds (default: run until Ctrl+C)")
    p.add_argument("--consumer", default="", metavar="NAME",
                   help="this consumer's name, its processing list queue:processing:NAME "
                        "(default: HOST-PID-RANDOM, unique)")
    p.add_argument("--heartbeat", type=_lease_seconds, default=DEFAULT_HEARTBEAT, metavar="SECONDS",
                   help=f"a consumer silent this many seconds (real time; {num(MIN_HEARTBEAT)} to {MAX_SECONDS}, "
                        "the heartbeat is renewed three times in that time) is presumed crashed: "
                        "the others put its messages back on the queue")
    p.add_argument("--max", type=count(1, MAX_SECONDS), default=30, help="the largest x a message may ask for")
    # The Go lesson's own producer pushes these; here whoever runs the twin
    # feeds the queue, so the flag is accepted and not used.
    p.add_argument("--messages", default=messages, help=argparse.SUPPRESS)
    # asyncdemo's --vs python gives the twin an embedded Redis and, here, its
    # producer's script ("0:2,2.5:5,..."): each run then pushes those values
    # at those moments, as the Go lesson's own producer does.
    p.add_argument("--produce", type=_script, default=None, help=argparse.SUPPRESS)


def _lease_seconds(s):
    """--heartbeat: seconds, from MIN_HEARTBEAT to an hour; whatever is
    wrong with a value, the error says the same, as asyncdemo's."""
    try:
        x = float(s)
    except ValueError:
        x = math.nan
    if not MIN_HEARTBEAT <= x <= MAX_SECONDS:  # NaN is neither
        raise argparse.ArgumentTypeError(f"{goquote(s)} is not a number of seconds "
                                         f"from {num(MIN_HEARTBEAT)} to {MAX_SECONDS}")
    return x


def _script(s):
    """AT:VALUE,... : what the producer pushes, and when."""
    script = []
    for part in s.split(","):
        at, sep, value = part.partition(":")
        try:
            script.append((float(at), value))
        except ValueError:
            sep = ""
        if not sep:
            raise argparse.ArgumentTypeError(f"{part!r} is not AT:VALUE")
    return script


# ── output ──

def _seconds_json(t):
    """Seconds rounded to the millisecond, always with a decimal point: 4.0."""
    return repr(round(t * 1000) / 1000)


def _string_json(s):
    """A JSON string that, like asyncdemo's, leaves <, > and & alone."""
    out = json.dumps(s, ensure_ascii=False)
    return out.replace("\\b", "\\u0008").replace("\\f", "\\u000c") \
              .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# What may not reach a terminal as it is: control characters but newline
# and tab, DEL and the C1 controls, and the marks that reorder text.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(s):
    """s with every character that could act on a terminal written out as
    an escape (ESC becomes \\x1b), as asyncdemo's timing.Printable does:
    text from outside (an HTTP answer, a queue's values) goes through it
    before it is printed."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", s)


def _current_task_name():
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no loop running in this thread
        return ""
    if task is None:
        return ""
    name = task.get_name()
    return "" if re.fullmatch(r"Task-\d+", name) else name  # asyncio's default names say nothing


_PALETTE = ["36", "32", "33", "35", "94", "91"]  # asyncdemo's task colours


class Recorder:
    """Times and prints what a lesson does, run by run. Safe from any thread."""

    def __init__(self, opts):
        self.json = opts.json
        self.color = (not opts.json and not opts.no_color and "NO_COLOR" not in os.environ
                      and sys.stdout.isatty())
        self.compare_runs = not opts.no_compare
        self._opts = opts
        self._lock = threading.Lock()
        self._run = ""
        self._vclock = VirtualClock() if getattr(opts, "virtual_time", False) else None
        self._clock = self._vclock.now if self._vclock else time.perf_counter
        self._start = self._clock()
        self._spans, self._marks = [], []  # this run's, with --spans
        self._spans_on = self.json and getattr(opts, "spans", False)
        if self._vclock:
            time.sleep = self._vclock.sleep  # the lessons' own time.sleep, in their module "time"
        if self._spans_on or self._vclock:
            # Every loop a RecordingLoop: it tells _SpanSink when each task is
            # made and ends; with --virtual-time it runs on the virtual clock.
            sink, vclock = _SpanSink(self), self._vclock
            if vclock:
                asyncio.set_event_loop_policy(RecordingPolicy(
                    lambda: RecordingLoop(sink, vclock.now, VirtualSelector(vclock))))
            else:
                asyncio.set_event_loop_policy(RecordingPolicy(lambda: RecordingLoop(sink)))

    def _paint(self, code, s):
        return f"\x1b[{code}m{s}\x1b[0m" if self.color and s else s

    def _emit(self, make):
        """Write the line make(t) returns, t the time now: under the lock, so
        lines from several threads come out in time order."""
        with self._lock:
            obj, human = make(self._clock() - self._start)
            if self.json:
                fields = []
                for key, value in obj.items():
                    if isinstance(value, str):
                        if value:
                            fields.append(f'"{key}":{_string_json(value)}')
                    elif key == "speedup":
                        fields.append(f'"{key}":{repr(round(value * 100) / 100)}')
                    else:
                        fields.append(f'"{key}":{_seconds_json(value)}')
                line = "{" + ",".join(fields) + "}\n"
            else:
                line = human
            try:
                sys.stdout.write(line)
                sys.stdout.flush()
            except BrokenPipeError:  # stdout closed early (| head): nobody is listening
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                os._exit(EXIT_FAILURE)

    def say(self, text, task=None):
        """Print an event of task (default: the asyncio task running now)."""
        if task is None:
            task = _current_task_name()
        text = str(text)

        def make(t):
            gutter = f"{t:7.3f}s"
            body = ("\n" + " " * (len(gutter) + 2)).join(
                self._paint(_PALETTE[sum(task.encode()) % len(_PALETTE)], line) if task else line
                for line in printable(text).split("\n"))
            return ({"kind": "event", "t": t, "run": self._run, "style": STYLE, "task": task, "text": text},
                    f"{self._paint('2', gutter)}  {body}\n")
        self._emit(make)

    def state(self, task, st):
        """Print that task is now in state st."""
        self._emit(lambda t: ({"kind": "state", "t": t, "run": self._run, "style": STYLE, "task": task, "state": st},
                              self._paint("2", f"{t:7.3f}s  {task}: {st}") + "\n"))

    def note(self, text):
        """A paragraph of prose, in human output only."""
        if not self.json:
            self._emit(lambda t: ({}, text + "\n\n"))

    @contextlib.contextmanager
    def run(self, name):
        """One timed run: a heading, its events, and its total (even if it fails)."""
        result = Run(name)
        if not self.json:
            self._emit(lambda t: ({}, self._paint("1", f"── {name} · {STYLE} ──") + "\n"))
        with self._lock:
            self._run, self._start = name, self._clock()
            self._spans, self._marks = [], []
        producer = None
        try:
            if getattr(self._opts, "produce", None):
                producer = _Producer(self._opts, self)
            yield result
        finally:
            if producer:
                producer.stop()
            self._write_spans()

            def make(t):
                result.elapsed = t
                return ({"kind": "summary", "run": name, "style": STYLE, "elapsed": t},
                        self._paint("1", f"  total {t:.3f}s") + "\n\n")
            self._emit(make)

    # ── spans and marks: what asyncdemo --vs python draws the timeline from ──
    #
    # With --spans every task of every loop is a span, from its creation to
    # its end, as asyncdemo's loop draws its own; rec.span() adds one for
    # work that is no task. They are written at the end of the run, before
    # its summary, as {"kind":"span","t":START,...,"state":"done","elapsed":D}.

    def _now(self):
        return self._clock() - self._start

    def timer(self, delay, fn):
        """A timer that calls fn once, delay seconds after its start(): in a
        thread of its own, or on virtual time at that virtual instant."""
        if self._vclock:
            return VirtualTimer(self._vclock, delay, fn)
        timer = threading.Timer(delay, fn)
        timer.daemon = True
        return timer

    def _open_span(self, name, group="", phase=""):
        """A new span of this run, or None once the run has too many to draw
        (then it draws none: a chart of some of them would mislead)."""
        with self._lock:
            if self._spans is None:
                return None
            if len(self._spans) == MAX_SPANS:
                self._spans = None
                return None
            span = _Span(name, group, self._now())
            span.phase = phase
            self._spans.append(span)
            return span

    def _task_created(self, task):
        coro = task.get_coro()
        if coro is not None and coro.__qualname__.startswith("BaseEventLoop."):
            return None  # asyncio.run's own clean-up, which asyncdemo's loop does not need
        span = self._open_span(task_label(task))
        if span is not None:
            span.task = weakref.ref(task)  # not the task itself: a pending task must stay collectable
            span.hidden = not _drawn(task)
        return span

    def _task_ended(self, span, task):
        """The task of span is done: its name is final (the coroutine may
        have named itself), and so is how it ended."""
        span.name, span.hidden = task_label(task), not _drawn(task)
        span.end, span.state = self._now(), task_state(task)

    @contextlib.contextmanager
    def span(self, name, group="", phase=""):
        """Draw what the block does as a bar on --vs python's timeline; with
        a phase, as a stretch of the task of that name."""
        if not self._spans_on:
            yield
            return
        s = self._open_span(name, group or name, phase)
        if s is None:
            yield
            return
        try:
            yield
        except BaseException as e:
            s.end, s.state = self._now(), "cancelled" if isinstance(e, asyncio.CancelledError) else "error"
            raise
        s.end, s.state = self._now(), "done"

    def waiting(self):
        """Draw what the block does as the running task waiting, not
        running, on --vs python's timeline: a blocking take from Redis."""
        task = asyncio.current_task()
        return self.span(task_label(task) if task else "", phase="wait")

    def mark(self, label):
        """Mark a moment of the run on --vs python's timeline, such as Ctrl+C."""
        if self._spans_on:
            self._marks.append((self._now(), label))  # no lock: signal handlers call this

    def _write_spans(self):
        if not self._spans_on:
            return
        end = self._now()
        for s in self._spans or []:
            task = s.task() if s.task is not None and s.end is None else None
            if task is not None:  # still pending: named as it is now
                s.name, s.hidden = task_label(task), not _drawn(task)
        for s in sorted(self._spans or [], key=lambda s: s.start):
            if s.hidden:
                continue
            # "text" is the span's group: spans of a group share a row when
            # a run has too many rows.
            self._emit(lambda t, s=s: ({"kind": "span", "t": s.start, "run": self._run, "style": STYLE,
                                        "task": s.name, "text": s.group or s.name,
                                        "state": s.state, "phase": s.phase,
                                        "elapsed": (end if s.end is None else s.end) - s.start},
                                       ""))
        for at, label in self._marks:
            self._emit(lambda t, at=at, label=label: ({"kind": "mark", "t": at, "run": self._run, "style": STYLE,
                                                       "text": label}, ""))

    def compare(self, concurrent, sequential):
        """Print how the concurrent run did against the sequential one (or
        two runs of other names, the faster way first: workers, sync-client)."""
        c, s = concurrent.elapsed, sequential.elapsed
        speedup = round(s / c * 100) / 100 if c > 0 and s > 0 else 0.0
        verdict = ""
        if c > 0 and s > 0:
            verdict = f": {speedup:.2f}× faster" if c <= s else f": {c / s:.2f}× slower"
        event = {"kind": "compare", "concurrent": c, "sequential": s, "speedup": speedup}
        names = (concurrent.name, sequential.name)
        if names != ("concurrent", "sequential"):
            event["concurrent_run"], event["sequential_run"] = names
        self._emit(lambda t: (event, self._paint("1", f"{names[0]} {c:.2f} s vs {names[1]} {s:.2f} s{verdict}") + "\n\n"))


MAX_SPANS = 10_000  # more would be a slow JSON stream for one chart


class _Span:
    """A bar of the timeline: a task's life, or a block rec.span() timed."""

    def __init__(self, name, group, start):
        self.name, self.group, self.start = name, group, start
        self.end, self.state, self.task, self.hidden = None, "", None, False
        self.phase = ""  # "" for a task's life or a block's bar; "wait" for a stretch of a task's life


_MAIN_FILE = os.path.realpath(getattr(sys.modules.get("__main__"), "__file__", "") or "")


def _drawn(task):
    """Whether the timeline shows a task: one the lesson named, or one
    running a coroutine of the lesson's own file. The tasks redis-py,
    aiohttp and this module make for themselves are not the lesson's (and
    asyncdemo's Go clients make none)."""
    if not re.fullmatch(r"Task-\d+", task.get_name()):
        return True
    code = getattr(task.get_coro(), "cr_code", None)
    return code is not None and os.path.realpath(code.co_filename) == _MAIN_FILE


class _SpanSink(Sink):
    """What the twins' RecordingLoop tells the Recorder: with --spans, each
    task's life is a span, from its creation to its end."""

    def __init__(self, rec):
        self._rec, self._spans = rec, {}  # task id -> its span

    def task_created(self, loop, task, tid, parent, t):
        if self._rec._spans_on:
            span = self._rec._task_created(task)
            if span is not None:
                self._spans[tid] = span

    def task_ended(self, loop, task, tid, t):
        span = self._spans.pop(tid, None)
        if span is not None:
            self._rec._task_ended(span, task)


class Run:
    """A finished run's name and how long it took, in seconds."""

    def __init__(self, name):
        self.name, self.elapsed = name, 0.0


class UsageError(Exception):
    """A command line that cannot run, found after the flags were parsed
    (a consumer name in use): exit 2, as a bad flag."""


def main(body):
    """Run a twin's body: Ctrl+C exits 130, SIGTERM 143, a usage error 2 and
    an error 1, each with one line on stderr, as asyncdemo does."""
    try:
        body()
    except (KeyboardInterrupt, asyncio.CancelledError):
        # asyncio.run raises CancelledError, not KeyboardInterrupt, after a
        # Ctrl+C if its main task had other cancel requests pending.
        if _terminated:
            sys.stderr.write("terminated\n")
            sys.exit(EXIT_TERMINATED)
        sys.stderr.write("interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    except UsageError as e:
        sys.stderr.write(f"{os.path.basename(sys.argv[0])}: {e}\n")
        sys.exit(EXIT_USAGE)
    except Exception as e:  # noqa: BLE001 - the one place errors become exit codes
        sys.stderr.write(f"asyncdemo python twin: {e}\n")
        sys.exit(EXIT_FAILURE)


# ── the Redis queue of lessons 10 to 12 ──
#
# The tutorial takes a message with RPOP: if the consumer dies before the
# work is done, the message is lost. Like asyncdemo's redisqueue package,
# these move each message atomically to a processing list of this consumer
# (LMOVE, or BLMOVE to wait for one), remove it from there (LREM) only when
# the work is done, and at start put back what an earlier run left there.
# A message that is not a whole number of seconds goes to queue:dead with
# the reason, instead of killing the consumer as int(task) did.
#
# A processing list is safe only while its consumer lives. So, as in
# redisqueue's lease.go, a consumer holds a lease on its name: a heartbeat
# key, queue:heartbeat:NAME, with a time to live (--heartbeat) that a thread
# keeps renewing. A live name is refused to a second consumer; and each
# consumer puts back on the queue the processing lists of the others whose
# heartbeat has stopped, at start and at every renewal. The keys, scripts
# and printed texts are asyncdemo's: twins and Go consumers share a queue.

QUEUE, DEAD = "queue", "queue:dead"
DEFAULT_HEARTBEAT = 10.0  # seconds, real time: --heartbeat's default
MIN_HEARTBEAT = 0.3  # the shortest --heartbeat: it is renewed three times a lease

# Move a message from the processing list to the dead letters, atomically,
# and only if it is still there (a retry does not record it twice). All or
# nothing: Redis keeps what a script wrote before an error, so a dead-letter
# key that is not a list is found before the LREM, not by a failing LPUSH
# after it, which would lose the message.
_REJECT = """
local t = redis.call("TYPE", KEYS[2])["ok"]
if t ~= "none" and t ~= "list" then
    return redis.error_reply("WRONGTYPE " .. KEYS[2] .. " is a " .. t .. ", not a list: rename or delete it; the message stays in " .. KEYS[1])
end
if redis.call("LREM", KEYS[1], 1, ARGV[1]) == 1 then
    redis.call("LPUSH", KEYS[2], ARGV[2])
end
return 1"""


def _dead_letter(value, reason, consumer):
    # asyncdemo's entry: "value" is text; a value that is not UTF-8 goes in
    # "value_base64" instead. Replies here are decoded as UTF-8, so value is
    # always text.
    import datetime
    at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps({"value": value, "reason": reason, "consumer": consumer, "at": at}, ensure_ascii=False)


# Renew the lease KEYS[1] held by token ARGV[1] for ARGV[2] ms: 1 if it was
# held, 0 if it had expired (it is taken again), -1 if another holds it.
_HEARTBEAT = """
local holder = redis.call("GET", KEYS[1])
if holder == ARGV[1] then
    redis.call("PEXPIRE", KEYS[1], ARGV[2])
    return 1
elseif holder == false then
    redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
    return 0
end
return -1"""

# Give up the lease KEYS[1] if token ARGV[1] still holds it.
_UNREGISTER = """
if redis.call("GET", KEYS[1]) == ARGV[1] then
    redis.call("DEL", KEYS[1])
end
return 1"""

# Put back on the queue KEYS[3] the whole processing list KEYS[1] of a
# consumer whose heartbeat KEYS[2] has stopped, in the order it was taken,
# and return how many messages; nothing while the heartbeat lives. One
# script, so that a consumer that registers meanwhile is never robbed.
_RECLAIM = """
if redis.call("EXISTS", KEYS[2]) == 1 then
    return 0
end
local n = 0
while redis.call("LMOVE", KEYS[1], KEYS[3], "LEFT", "RIGHT") do
    n = n + 1
end
return n"""


def new_id():
    """A random id, as redisqueue.NewID's: 26 base32 characters, 128 bits."""
    import base64
    import secrets
    return base64.b32encode(secrets.token_bytes(16)).decode()[:26]


def unique_name():
    """A consumer name of this process's own, as asyncdemo's: HOST-PID-RANDOM
    (a container's process ids repeat)."""
    import socket
    return f"{socket.gethostname() or 'host'}-{os.getpid()}-{new_id()[:4].lower()}"


def _transient(e):
    """Whether a Redis error is an outage, which passes (redisqueue.Transient)."""
    import redis
    if isinstance(e, (redis.AuthenticationError, redis.exceptions.AuthorizationError)):
        return False
    if isinstance(e, (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError)):
        return True
    return str(e).split(" ", 1)[0] in ("BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS", "OOM", "MISCONF")


def _glob_escape(s):
    return re.sub(r"([*?\[\]\\])", r"\\\1", s)


class _Lease:
    """A consumer's hold on its name, and its look-out for crashed consumers.

    take() takes the lease (a live name is a UsageError); consumer_name()
    does it before the lesson prints anything. start() takes it if take()
    has not, or renews it at once if it has, puts back what an
    earlier run of this name left in its processing list, reclaims the lists
    of consumers whose heartbeat stopped, and starts a daemon thread that
    renews the lease every third of --heartbeat and reclaims again. A thread,
    with a blocking client of its own, in every twin: no loop it shares can
    hold it up (workers --sync-client stalls its loop a second at a time),
    and no cancellation reaches it. stop() ends the thread, puts back what
    the processing list still holds, and gives up the name."""

    def __init__(self, opts, rec, name):
        import redis
        self.rec, self.name = rec, name
        self.ttl = opts.heartbeat
        self.key = f"{QUEUE}:heartbeat:{name}"
        self.processing = f"{QUEUE}:processing:{name}"
        self.token = new_id()
        self.rdb = redis.Redis.from_url(opts.redis, decode_responses=True,
                                        socket_connect_timeout=2, socket_timeout=5)
        self._heartbeat = self.rdb.register_script(_HEARTBEAT)
        self._unregister = self.rdb.register_script(_UNREGISTER)
        self._reclaim = self.rdb.register_script(_RECLAIM)
        self._halt = threading.Event()
        self._thread = None
        self._reported = set()
        self._opts = opts
        self.state = "new"  # then "taken", "started", "stopped"

    def _ms(self):
        return max(1, round(self.ttl * 1000))

    def _refuse(self):
        """The error for a name a live consumer holds: a UsageError, naming
        the flag and the value once, when the name came from --consumer."""
        detail = ""
        left = self.rdb.pttl(self.key)
        if left is not None and left >= 0:
            detail = f" (its heartbeat runs out in {left / 1000:.1f} s if it has stopped)"
        if self._opts.consumer:
            return UsageError(f"--consumer {goquote(self.name)}: a live consumer holds this name{detail}; "
                              "choose another name or leave --consumer out")
        return RuntimeError(f"consumer {goquote(self.name)}: a live consumer holds this name{detail}")

    def take(self):
        """Take the lease on the name, or raise why not."""
        import redis
        try:
            taken = self.rdb.set(self.key, self.token, nx=True, px=self._ms())
        except redis.ConnectionError as e:
            self.rdb.close()
            raise RuntimeError(f"cannot reach Redis at {where(self._opts.redis)}: {e}") from None
        if not taken:
            err = self._refuse()
            self.rdb.close()
            raise err
        self.state = "taken"
        return self

    def give_up(self):
        """Give up a lease taken and never started."""
        import redis
        if self.state != "taken":
            return
        self.state = "stopped"
        try:
            with contextlib.suppress(redis.RedisError):
                self._unregister(keys=[self.key], args=[self.token])
        finally:
            self.rdb.close()

    def start(self):
        if self.state == "taken":  # renewed at once: taken again if it ran out meanwhile
            if self._heartbeat(keys=[self.key], args=[self.token, self._ms()]) < 0:
                raise self._refuse()
        else:
            self.take()
        self.state = "started"
        n = self._put_back()
        if n:
            self.rec.say(f"recovered {n} message(s) a previous run took and did not finish", task="")
        self.reclaim()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat {self.name}", daemon=True)
        self._thread.start()
        return self

    def _put_back(self):
        """Move the processing list back onto the queue, all of it: a BLMOVE
        of this consumer's that Redis has not yet seen abandoned may take a
        message back as it is put back. Returns how many it held."""
        n = self.rdb.llen(self.processing)
        while self.rdb.lmove(self.processing, QUEUE, "LEFT", "RIGHT") is not None:
            pass
        return n

    def _beat(self):
        import redis
        while not self._halt.wait(self.ttl / 3):
            try:
                held = self._heartbeat(keys=[self.key], args=[self.token, self._ms()])
            except redis.RedisError:
                continue  # Redis is away: the consumer's own commands say so
            if self._halt.is_set():
                return
            if held == 0:
                self.rec.say(f"warning: consumer {goquote(self.name)}: the heartbeat had expired: "
                             "other consumers may have taken back this consumer's messages", task="")
            elif held < 0:
                self.rec.say(f"warning: consumer {goquote(self.name)}: a live consumer holds this name", task="")
            self.reclaim()

    def reclaim(self):
        """Put back the processing lists of the consumers whose heartbeat
        stopped, and say so."""
        import redis
        prefix = f"{QUEUE}:processing:"
        looking = doing = f"looking for the processing lists of {QUEUE}"
        try:
            for key in self.rdb.scan_iter(match=_glob_escape(prefix) + "*", count=100):
                name = key[len(prefix):]
                if name == self.name:
                    continue
                doing = f"reclaiming {key}"
                n = self._reclaim(keys=[key, f"{QUEUE}:heartbeat:{name}", QUEUE])
                doing = looking
                if n > 0:
                    self.rec.say(f"put back {n} message(s) of consumer {goquote(name)}: its heartbeat stopped "
                                 "(it crashed, or was stopped without cleaning up)", task="")
        except redis.RedisError as e:
            if not _transient(e) and str(e) not in self._reported:  # said once per cause: it will not go away by itself
                self._reported.add(str(e))
                self.rec.say(f"looking for the messages of crashed consumers failed: {doing}: {e}", task="")

    def stop(self):
        import redis
        self.state = "stopped"
        self._halt.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        try:
            try:
                n = self._put_back()
            except redis.RedisError as e:
                self.rec.say(f"could not put back what {self.processing} holds ({e}): "
                             f"another consumer will, {num(self.ttl)} s after this one stopped", task="")
                return
            if n:
                self.rec.say(f"put back {n} message(s) taken and not finished", task="")
            with contextlib.suppress(redis.RedisError):
                self._unregister(keys=[self.key], args=[self.token])
        finally:
            self.rdb.close()


@contextlib.contextmanager
def consumer_name(opts, rec):
    """Take the consumer's name before the lesson prints anything, as
    asyncdemo does: a --consumer name that a live consumer holds is refused
    in one line (a UsageError), not after a run's heading. Yields the lease
    (None with --unsafe, which takes none) for the lesson's first queue to
    adopt (claim=); one that no queue adopted is given up at the end."""
    if opts.unsafe:
        yield None
        return
    lease = _Lease(opts, rec, opts.consumer or unique_name()).take()
    try:
        yield lease
    finally:
        lease.give_up()  # nothing if a queue adopted it: its stop() gives it up


def _lease_for(claim, opts, rec, name):
    """The lease a queue starts: the claim, if no queue has started it yet;
    else a new one of the same name (workers' second run)."""
    return claim if claim is not None and claim.state == "taken" else _Lease(opts, rec, name)


class _Tally:
    """Messages in flight and when the queue was last busy; thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.inflight, self.last, self.outage = 0, time.monotonic(), False


class _Consumer:
    """What the sync and asyncio queues share: parsing, idleness, outages,
    the consumer's name and its lease. A queue made with share=other is
    other's consumer too: same name, and its messages counted with other's."""

    def __init__(self, opts, rec, share=None, claim=None):
        self.opts, self.rec = opts, rec
        if share is not None:
            self.name = share.name
        elif claim is not None:
            self.name = claim.name
        else:
            self.name = opts.consumer or unique_name()
        self.claim = claim
        self.processing = f"{QUEUE}:processing:{self.name}"
        self._tally = share._tally if share is not None else _Tally()
        self.lease = None  # the queue that takes the lease holds it

    def stop(self):
        """The consumer stops (idle, Ctrl+C, SIGTERM), the work it finished
        acknowledged: put back on the queue what it took and did not finish,
        and give up its name. A blocking call: from a coroutine, await
        asyncio.to_thread(queue.stop)."""
        if self.lease is not None:
            lease, self.lease = self.lease, None
            lease.stop()

    def parse(self, msg):
        """x, or None and the reason for a poison message."""
        try:
            x = int(msg.strip())
        except ValueError:
            x = 0
        if x < 1:
            return None, "not a positive whole number"
        if x > self.opts.max:
            return None, f"over the maximum of {self.opts.max}"
        return x, ""

    def took(self):
        with self._tally.lock:
            self._tally.inflight += 1
            self._tally.last = time.monotonic()

    def finished(self):
        with self._tally.lock:
            self._tally.inflight -= 1
            self._tally.last = time.monotonic()

    def idle(self):
        """Whether --idle was given and the queue has been idle that long."""
        if self.opts.idle is None:
            return False
        with self._tally.lock:
            t = self._tally
            return t.inflight == 0 and time.monotonic() - t.last >= self.opts.idle * self.opts.scale

    def done_idle(self):
        # Real seconds, as the time gutter shows them: --idle 3 at --scale 0.2 is 0.6 s.
        self.rec.say(f"queue idle for {num(round(self.opts.idle * self.opts.scale, 9))} s: done")

    def unavailable(self, err):
        # A look Redis did not answer is no sign of an empty queue: the
        # count towards --idle starts again.
        with self._tally.lock:
            first, self._tally.outage = not self._tally.outage, True
            self._tally.last = time.monotonic()
        if first:
            self.rec.say(f"Redis is unavailable ({err}); retrying")

    def back(self):
        with self._tally.lock:
            was, self._tally.outage = self._tally.outage, False
        if was:
            self.rec.say("Redis is back")


class _Producer:
    """Plays --produce: pushes each value at its moment (scaled), saying
    "LPUSH queue VALUE" as the Go lesson's producer does. What is pushed at
    0 s is there before the consumer starts."""

    def __init__(self, opts, rec):
        import redis
        self.rdb = redis.Redis.from_url(opts.redis, decode_responses=True, socket_connect_timeout=2)
        self.rec, self.halt = rec, threading.Event()
        script = list(opts.produce)
        while script and script[0][0] == 0:
            self.push(script.pop(0)[1])
        start = time.monotonic()

        def play():
            for at, value in script:
                if self.halt.wait(max(0.0, start + at * opts.scale - time.monotonic())):
                    return
                try:
                    self.push(value)
                except redis.RedisError:  # as asyncdemo's producer: the consumer says Redis is away
                    pass
        self.thread = threading.Thread(target=play, daemon=True)
        self.thread.start()

    def push(self, value):
        self.rec.say(f"LPUSH {QUEUE} {value}", task="producer")
        self.rdb.lpush(QUEUE, value)

    def stop(self):
        self.halt.set()
        self.thread.join()
        self.rdb.close()


def cancel_and_wait(loop, timeout=2.0):
    """Cancel the tasks left on a loop running in another thread, wait for
    them to finish cancelling, and for the calls they left running in
    threads (to_thread: an acknowledgement) to end: what asyncio.run does
    for its own loop. Work stopped by Ctrl+C then ends at its await, leaving
    its message in the processing list, instead of being destroyed in
    mid-call; and what was acknowledged is not put back."""
    async def cancel_all():
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await loop.shutdown_default_executor()
    if not loop.is_running():  # stopped already: nobody would run cancel_all
        return
    try:
        asyncio.run_coroutine_threadsafe(cancel_all(), loop).result(timeout)
    except (TimeoutError, RuntimeError, concurrent.futures.CancelledError):  # stuck, or stopping meanwhile
        pass


def where(url):
    from urllib.parse import urlparse
    u = urlparse(url)
    return f"{u.hostname or '127.0.0.1'}:{u.port or 6379}"


class SyncQueue(_Consumer):
    """The queue through redis-py's blocking client: for plain threads only.
    Inside a coroutine a blocking call holds the whole loop (lesson 12)."""

    def __init__(self, opts, rec, share=None, recover=True, claim=None):
        """Connect and, with recover, take the consumer's name (a heartbeat,
        renewed in a thread; the claim consumer_name took, if given), put
        back what an earlier run left in the processing list, and the
        messages of consumers whose heartbeat stopped. stop() undoes it."""
        import redis
        super().__init__(opts, rec, share, claim)
        self.rdb = redis.Redis.from_url(opts.redis, decode_responses=True,
                                        socket_connect_timeout=2, socket_timeout=5)
        try:
            self.rdb.ping()
        except redis.RedisError as e:
            raise RuntimeError(f"cannot reach Redis at {where(opts.redis)}: {e}") from None
        if recover and not opts.unsafe:  # take the lease: see _Lease
            self.lease = _lease_for(claim, opts, rec, self.name).start()

    def take(self, wait=0):
        """The next message, or None; with wait > 0, wait up to that long in Redis."""
        import redis
        try:
            if self.opts.unsafe:
                msg = self.rdb.brpop(QUEUE, wait) if wait else self.rdb.rpop(QUEUE)
                msg = msg[1] if isinstance(msg, (list, tuple)) else msg
            elif wait:
                msg = self.rdb.blmove(QUEUE, self.processing, wait, "RIGHT", "LEFT")
            else:
                msg = self.rdb.lmove(QUEUE, self.processing, "RIGHT", "LEFT")
        except (redis.ConnectionError, redis.TimeoutError) as e:
            self.unavailable(e)
            time.sleep(0.5)
            return None
        self.back()
        if msg is not None:
            self.took()
        return msg

    def next(self):
        """Wait for the next message, polling or blocking as --mode says;
        None once the queue has been idle for --idle."""
        while not self.idle():
            if self.opts.mode == "block":
                msg = self.take(1)  # BLMOVE's timeout, so idleness is noticed
            else:
                msg = self.take()
                if msg is None:
                    time.sleep(1 * self.opts.scale)  # the tutorial's time.sleep(1)
            if msg is not None:
                return msg
        return None

    def ack(self, msg):
        if not self.opts.unsafe:
            self.rdb.lrem(self.processing, 1, msg)
        self.finished()

    def reject(self, msg, reason):
        entry = _dead_letter(msg, reason, self.name)
        if self.opts.unsafe:
            self.rdb.lpush(DEAD, entry)
        else:
            self.rdb.eval(_REJECT, 2, self.processing, DEAD, msg, entry)
        self.finished()

    def poison(self, msg, reason):
        self.rec.say(f"poison message {goquote(msg)}: {reason}; moved to {DEAD}")
        self.reject(msg, reason)


class AsyncQueue(_Consumer):
    """The queue through redis.asyncio: every call is awaited, so a worker
    waiting for Redis lets the loop run the others."""

    async def open(self, recover=True, single=False):
        """Connect (with single, on one connection of its own) and, with
        recover, take the consumer's name, put back what an earlier run left
        in the processing list, and the messages of consumers whose
        heartbeat stopped, as SyncQueue does: in a thread, whose heartbeat
        goes on until stop(), even after close()."""
        import redis.asyncio
        # No socket_timeout: with one, redis-py 4.3 wraps each command in
        # asyncio.wait_for and async_timeout, and on Python 3.11 either can
        # swallow a Ctrl+C cancellation that lands as the command completes.
        pool = redis.asyncio.ConnectionPool.from_url(self.opts.redis, decode_responses=True,
                                                     socket_connect_timeout=2)
        self.rdb = redis.asyncio.Redis(connection_pool=pool, single_connection_client=single)
        try:
            await self.rdb.ping()
        except redis.RedisError as e:
            raise RuntimeError(f"cannot reach Redis at {where(self.opts.redis)}: {e}") from None
        if recover and not self.opts.unsafe:
            self.lease = await asyncio.to_thread(_lease_for(self.claim, self.opts, self.rec, self.name).start)
        return self

    async def close(self):
        await self.rdb.close(close_connection_pool=True)

    async def take(self, wait=0):
        import redis
        try:
            if self.opts.unsafe:
                msg = await (self.rdb.brpop(QUEUE, wait) if wait else self.rdb.rpop(QUEUE))
                msg = msg[1] if isinstance(msg, (list, tuple)) else msg
            elif wait:
                msg = await self.rdb.blmove(QUEUE, self.processing, wait, "RIGHT", "LEFT")
            else:
                msg = await self.rdb.lmove(QUEUE, self.processing, "RIGHT", "LEFT")
        except (redis.ConnectionError, redis.TimeoutError) as e:
            self.unavailable(e)
            await asyncio.sleep(0.5)
            return None
        self.back()
        if msg is not None:
            self.took()
        return msg

    async def ack(self, msg):
        if not self.opts.unsafe:
            await self.rdb.lrem(self.processing, 1, msg)
        self.finished()

    async def poison(self, msg, reason):
        self.rec.say(f"poison message {goquote(msg)}: {reason}; moved to {DEAD}")
        entry = _dead_letter(msg, reason, self.name)
        if self.opts.unsafe:
            await self.rdb.lpush(DEAD, entry)
        else:
            await self.rdb.eval(_REJECT, 2, self.processing, DEAD, msg, entry)
        self.finished()
