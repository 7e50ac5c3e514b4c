"""A stand-in for uvloop in asyncdemo's tests, where the real one (compiled
code) may not be installed: an event loop class of its own, not asyncio's,
installed the ways uvloop is (install, EventLoopPolicy, new_event_loop,
run). The recorder cannot see inside either."""
import asyncio

__version__ = "0.0-fake"


class Loop(asyncio.SelectorEventLoop):
    """uvloop's loop: here asyncio's own, but not the recorder's."""


def new_event_loop():
    return Loop()


class EventLoopPolicy(asyncio.DefaultEventLoopPolicy):
    def _loop_factory(self):
        return Loop()


def install():
    asyncio.set_event_loop_policy(EventLoopPolicy())


def run(main, *, debug=None):
    with asyncio.Runner(debug=debug, loop_factory=new_event_loop) as runner:
        return runner.run(main)
