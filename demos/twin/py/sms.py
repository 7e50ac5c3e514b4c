"""Lesson 11, sms: the queue's worker calls a slow HTTP "SMS" API.

GET /<x> takes x seconds and answers "<x> It works"; if sending fails the
worker calls GET /error, the alarm. The calls are aiohttp requests on the
loop thread, so they overlap: one thread, several requests in flight.

The tutorial opened a new aiohttp.ClientSession for every call: a new
connection pool each time, and no timeout. Make one session, share it, and
give it a timeout (aiohttp.ClientTimeout). A session is made and closed on
the loop that uses it.

A careful consumer also bounds the work in flight: the master takes a
message only when one of --in-flight slots is free (a semaphore; the master
is a thread, so a threading one), and the session has a connection for
each, so that a backlog waits in Redis instead of timing out in a pool. A
send that fails is tried again after 1 s, then 2 s; a message still not
sent raises the alarm (/error) and goes to queue:dead with the reason: the
alarm is a notification, not a delivery. It is known to take 3 s, so it has
a deadline of its own (6 s, or --timeout if longer): held to a --timeout
meant for the messages, it would fail whenever that is shorter.

Before anything is printed, the twin checks that the API at --url answers
(GET /0, at once): if nothing does, every call would fail, so it says so in
one line and exits 1, as asyncdemo does.
"""

import argparse
import asyncio
import threading
from urllib.parse import urlsplit, urlunsplit

from _asyncdemo import (DEAD, QUEUE, Recorder, SyncQueue, call, cancel_and_wait, consumer_name, count, errtext, goquote,
                        http_url, main, need_modules, num, parser, redacted, redis_flags, seconds, where)

need_modules("sms")  # one line, not a traceback, without redis-py and aiohttp
import aiohttp  # noqa: E402
import yarl  # noqa: E402  (aiohttp's URLs)

p = parser("sms", __doc__)
redis_flags(p, messages="5,1,1", mode="block")
p.add_argument("--url", type=http_url, default="http://127.0.0.1:5000",
               help="the SMS API, http:// or https:// (asyncdemo sms-server)")
p.add_argument("--timeout", type=seconds, default=10.0,
               help="give up a call after this many seconds, 0 for never (tried 3 times)")
p.add_argument("--in-flight", type=count(1, 1000), default=100, help="send at most this many messages at once")
p.add_argument("--max-delay", type=seconds, default=30.0, help=argparse.SUPPRESS)  # the Go side's own API only
# asyncdemo --vs python gives the twin an API of its own, at the lesson's --scale.
p.add_argument("--own-api", action="store_true", help=argparse.SUPPRESS)
opts = p.parse_args()
rec = Recorder(opts)


ATTEMPTS = 3  # tries before a message is dead-lettered; a 4xx is not tried again
ERROR_DELAY = 3.0  # seconds GET /error takes
CHECK_WAIT = 3.0  # seconds, real time, the check that the API is up waits for an answer


def alarm_seconds():
    """The alarm's own deadline, in the lesson's seconds: twice what /error
    takes, or --timeout if longer; 0 (none) with --timeout 0, as for every call."""
    return 0 if opts.timeout == 0 else max(opts.timeout, 2 * ERROR_DELAY)


def alarm_timeout():
    """The alarm's own deadline, real seconds (None: none)."""
    return aiohttp.ClientTimeout(total=alarm_seconds() * opts.scale or None)


def failure(e, path, timeout):
    """Why a call to path failed, in plain words: "GET /5 timed out after
    2 s" for one that got no answer within timeout, the lesson's seconds
    (aiohttp's own words are a bare TimeoutError); aiohttp's words for any
    other error, which name what it met: a refused connection, the answer."""
    if isinstance(e, asyncio.TimeoutError):
        return f"GET {path} timed out after {num(timeout)} s"
    return errtext(e)


def check_api():
    """GET /0, which the API answers at once: any answer will do, even an
    error's; none is one line and exit 1 (cannot reach the SMS API at URL)."""
    async def get():
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CHECK_WAIT)) as session:
            async with session.get(api_url("/0")) as resp:
                await resp.read()

    try:
        asyncio.run(get())
    except asyncio.TimeoutError:
        raise RuntimeError(f"cannot reach the SMS API at {redacted(opts.url)}: "
                           f"no answer to GET /0 within {num(CHECK_WAIT)}s") from None
    except aiohttp.ClientError as e:
        raise RuntimeError(f"cannot reach the SMS API at {redacted(opts.url)}: {errtext(e)}") from None


class NotSent(Exception):
    pass


async def open_session():
    timeout = aiohttp.ClientTimeout(total=opts.timeout * opts.scale)  # 0: none
    return aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=opts.in_flight))


def api_url(path):
    """path joined to --url's path, its query kept byte for byte (a key, say)."""
    u = urlsplit(opts.url)
    return yarl.URL(urlunsplit((u.scheme, u.netloc, u.path.rstrip("/") + path, u.query, "")), encoded=True)


async def fetch(session, path, **kw):
    async with session.get(api_url(path), **kw) as resp:
        rec.say(resp.status)  # the tutorial's print(resp.status)
        resp.raise_for_status()
        return (await resp.text()).strip()


async def send(session, x):
    for attempt in range(1, ATTEMPTS + 1):
        if attempt > 1:
            wait = 2 ** (attempt - 2)  # 1 s, then 2 s
            rec.say(f"trying again in {wait} s")
            await asyncio.sleep(wait * opts.scale)
        try:
            rec.say(await fetch(session, f"/{x}"))
            return
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            if isinstance(e, asyncio.TimeoutError):
                scale_hint(x)
            why = failure(e, f"/{x}", opts.timeout)
            rec.say(f"sending failed: {why}")
            if isinstance(e, aiohttp.ClientResponseError) and 400 <= e.status < 500:
                raise NotSent(f"not sent, a bad request: {why}") from e
    raise NotSent(f"not sent after {ATTEMPTS} attempts: {why}")


_hinted = threading.Event()


def scale_hint(x):
    """Once, if a call that should have answered well within --timeout timed
    out: an API at --url started without the lesson's --scale takes x s for
    GET /x, not x·scale s (asyncdemo says the same)."""
    if opts.scale != 1 and not opts.own_api and x < opts.timeout and not _hinted.is_set():
        _hinted.set()
        rec.say(f"warning: GET /{x} timed out, though --timeout is {num(opts.timeout)} s: is the SMS API at --url "
                f"running at another --scale? Start it with the same one (asyncdemo sms-server --scale {num(opts.scale)})",
                task="")


async def do_some_work(session, x):
    rec.say(f"Waiting: {x}")
    try:
        await send(session, x)
    except NotSent:
        rec.say("calling /error, the alarm")
        try:
            rec.say(await fetch(session, "/error", timeout=alarm_timeout()))
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            rec.say(f"the alarm failed too: {failure(e, '/error', alarm_seconds())}")
        raise  # the message goes to queue:dead with the reason
    rec.say(f"Done {x}")


async def work(session, queue, slots, msg, x):
    asyncio.current_task().set_name(call("do_some_work", x))  # run_coroutine_threadsafe takes no name
    try:
        await do_some_work(session, x)
    except NotSent as e:
        rec.say(f"message {goquote(msg)}: {e}; moved to {DEAD}", task="")
        await asyncio.to_thread(queue.reject, msg, str(e))
    except Exception as e:
        rec.say(f"message {goquote(msg)}: {errtext(e)}; moved to {DEAD}", task="")
        await asyncio.to_thread(queue.reject, msg, errtext(e))
    else:
        await asyncio.to_thread(queue.ack, msg)
    finally:
        slots.release()  # the message's slot is free again


def lesson():
    with consumer_name(opts, rec) as claim:  # a name in use is refused before anything is printed
        check_api()  # nothing answers at --url: one line, before anything is printed (the name is given up)
        rec.note(f'Consuming list "{QUEUE}" of the Redis at {where(opts.redis)}; the SMS API is {redacted(opts.url)}.')
        consume(claim)


def consume(claim):
    with rec.run("sms"):
        queue = SyncQueue(opts, rec, claim=claim)
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, daemon=True).start()
        session = asyncio.run_coroutine_threadsafe(open_session(), loop).result()
        try:
            slots = threading.Semaphore(opts.in_flight)  # at most --in-flight messages at once
            while slots.acquire() and (msg := queue.next()) is not None:  # a free slot, then rcon.brpop("queue")
                x, reason = queue.parse(msg)
                if x is None:
                    queue.poison(msg, reason)
                    slots.release()
                    continue
                asyncio.run_coroutine_threadsafe(work(session, queue, slots, msg, x), loop)
            queue.done_idle()
        finally:
            cancel_and_wait(loop)  # on Ctrl+C, the calls in flight end before their session closes
            close = asyncio.run_coroutine_threadsafe(session.close(), loop)
            try:
                close.result(timeout=2)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                queue.stop()  # what was taken and not finished goes back on the queue


main(lesson)
