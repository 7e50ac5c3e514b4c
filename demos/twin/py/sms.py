"""Lesson 11, sms: the queue's worker calls a slow HTTP "SMS" API.

GET /<x> takes x seconds and answers "<x> It works"; if sending fails the
worker calls GET /error, the alarm. The calls are aiohttp requests on the
loop thread, so they overlap: one thread, several requests in flight.

The tutorial opened a new aiohttp.ClientSession for every call: a new
connection pool each time, and no timeout. Make one session, share it, and
give it a timeout (aiohttp.ClientTimeout). A session is made and closed on
the loop that uses it.
"""

import argparse
import asyncio
import threading

from _asyncdemo import (QUEUE, Recorder, SyncQueue, call, cancel_and_wait, errtext, goquote, main, need_modules,
                        parser, redis_flags, seconds, where)

need_modules("sms")  # one line, not a traceback, without redis-py and aiohttp
import aiohttp  # noqa: E402

p = parser("sms", __doc__)
redis_flags(p, messages="5,1,1", mode="block")
p.add_argument("--url", default="http://127.0.0.1:5000", help="the SMS API (asyncdemo sms-server)")
p.add_argument("--timeout", type=seconds, default=10.0, help="give up a call after this many seconds")
p.add_argument("--max-delay", type=seconds, default=30.0, help=argparse.SUPPRESS)  # the Go side's own API only
opts = p.parse_args()
rec = Recorder(opts)


async def open_session():
    timeout = aiohttp.ClientTimeout(total=opts.timeout * opts.scale)
    return aiohttp.ClientSession(opts.url.rstrip("/"), timeout=timeout,
                                 connector=aiohttp.TCPConnector(limit=256))


async def fetch(session, path):
    async with session.get(path) as resp:
        rec.say(resp.status)  # the tutorial's print(resp.status)
        resp.raise_for_status()
        return (await resp.text()).strip()


async def do_some_work(session, x):
    rec.say(f"Waiting {x}")
    try:
        ret = await fetch(session, f"/{x}")
    except (aiohttp.ClientError, asyncio.TimeoutError) as e:
        rec.say(f"sending failed: {errtext(e)}; calling /error")
        try:
            rec.say(await fetch(session, "/error"))
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            rec.say(errtext(e))
            raise
    else:
        rec.say(ret)
        rec.say(f"Done {x}")


async def work(session, queue, msg, x):
    asyncio.current_task().set_name(call("do_some_work", x))  # run_coroutine_threadsafe takes no name
    try:
        await do_some_work(session, x)
    except Exception as e:
        rec.say(f"error from the loop thread, message {goquote(msg)}: {errtext(e)}")
        await asyncio.to_thread(queue.reject, msg, errtext(e))
    else:
        await asyncio.to_thread(queue.ack, msg)


def lesson():
    rec.note(f'Consuming list "{QUEUE}" of the Redis at {where(opts.redis)}; the SMS API is {opts.url}.')
    with rec.run("sms"):
        queue = SyncQueue(opts, rec)
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, daemon=True).start()
        session = asyncio.run_coroutine_threadsafe(open_session(), loop).result()
        try:
            while (msg := queue.next()) is not None:  # the tutorial's rcon.brpop("queue")
                x, reason = queue.parse(msg)
                if x is None:
                    queue.poison(msg, reason)
                    continue
                asyncio.run_coroutine_threadsafe(work(session, queue, msg, x), loop)
            queue.done_idle()
        finally:
            cancel_and_wait(loop)  # on Ctrl+C, the calls in flight end before their session closes
            close = asyncio.run_coroutine_threadsafe(session.close(), loop)
            try:
                close.result(timeout=2)
            finally:
                loop.call_soon_threadsafe(loop.stop)


main(lesson)
