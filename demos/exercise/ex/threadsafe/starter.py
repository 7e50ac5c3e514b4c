"""Exercise 18: hand coroutines to a loop in another thread. After: asyncdemo thread.

main is a program of blocking code (no async def): it starts an event loop
running for ever in a thread of its own (start_loop), and then ignores it,
running each download with asyncio.run on a loop of its own, one after
another: 3 s. Hand the three downloads to the loop thread instead, so that
they wait at the same time (1.5 s), and print "fetched [0.5, 1, 1.5]" once
all three are done. main stays a plain function. Leave download as it is.

练习 18：把协程交给另一个线程里的事件循环（先看 asyncdemo thread）。
main 是一段阻塞代码（没有 async def）：它启动一个在自己的线程里一直运行的事件循环（start_loop），
然后却不用它，而是用 asyncio.run 在各自的新循环上一个接一个地运行每个下载：3 秒。
改成把三个下载交给那个线程里的循环，让它们同时等待（1.5 秒），三个都完成后打印
"fetched [0.5, 1, 1.5]"。main 仍然是普通函数。不要修改 download。

Check it / 检查：asyncdemo check threadsafe
"""
import asyncio
import threading


async def download(x):
    await asyncio.sleep(x)  # the download, pretended
    return x


def start_loop():
    """A new event loop, running for ever in a thread of its own."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    return loop, thread


def stop_loop(loop, thread):
    loop.call_soon_threadsafe(loop.stop)  # from another thread, only the *_threadsafe calls are safe
    thread.join()
    loop.close()


def main():  # blocking code: no async def here
    loop, thread = start_loop()
    results = [asyncio.run(download(x)) for x in (0.5, 1, 1.5)]  # a loop each, one after another
    print("fetched", results)
    stop_loop(loop, thread)


main()
