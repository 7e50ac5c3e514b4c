"""Exercise 7: when one fails, stop the others. After: asyncdemo gather.

main downloads three files with gather. Server c is down: its download
fails after 1 s. gather passes the error on at once, but the other two
downloads go on in the background to their ends (2 and 4 s), wasted work,
while main goes on with other things. Make the two others stop at 1 s, when
c fails: an asyncio.TaskGroup cancels the rest of its tasks when one fails.
main still prints "failed: c is down" at 1 s.

练习 7：一个失败，就停下其他的（先看 asyncdemo gather）。
main 用 gather 下载三个文件。服务器 c 宕机了：它的下载在 1 秒后失败。gather 立刻把错误传出来，
但另外两个下载在后台继续到结束（2 秒和 4 秒），白做了工作，而 main 已经去做别的事了。
让另外两个在 1 秒、c 失败的时候停下：asyncio.TaskGroup 在一个任务失败时会取消其余的任务。
main 仍然在 1 秒打印 "failed: c is down"。

Check it / 检查：asyncdemo check taskgroup
"""
import asyncio


async def download(name, seconds):
    await asyncio.sleep(seconds)  # the network, pretended
    print(f"downloaded {name}")


async def broken(name, seconds):
    await asyncio.sleep(seconds)
    raise ConnectionError(f"{name} is down")


async def main():
    try:
        await asyncio.gather(download("a", 2), download("b", 4), broken("c", 1))
    except ConnectionError as e:
        print(f"failed: {e}")
    await asyncio.sleep(5)  # main goes on with other work


asyncio.run(main())
