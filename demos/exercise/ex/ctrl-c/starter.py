"""Exercise 17: Ctrl+C cancels, and each download cleans up. After: asyncdemo cancel.

main downloads a (3 s), b (4 s) and c (5 s) at once, each into a partial
file. The check presses Ctrl+C soon after 1 s. Then each download must be
cancelled and remove its partial file (print "removed a.part" and so on)
at that moment, and the program must end quietly: print "stopped", and no
traceback. As it is, the clean-up never runs and a KeyboardInterrupt
traceback ends the program. Keep the downloads' waits as they are.

练习 17：Ctrl+C 取消，每个下载自己清理（先看 asyncdemo cancel）。
main 同时下载 a（3 秒）、b（4 秒）和 c（5 秒），每个都写入一个不完整的文件。检查会在 1 秒后不久按下
Ctrl+C。这时每个下载都必须被取消，并在那一刻删除它的不完整文件（打印 "removed a.part" 等），
程序要安静地结束：打印 "stopped"，没有 traceback。现在清理从不运行，程序以 KeyboardInterrupt 的
traceback 结束。下载的等待保持不变。

Check it / 检查：asyncdemo check ctrl-c
"""
import asyncio


async def download(name, seconds):
    print(f"downloading {name}")
    try:
        await asyncio.sleep(seconds)  # the download, pretended
    except Exception:
        print(f"removed {name}.part")  # the clean-up: the partial file goes
        raise
    print(f"saved {name}")


async def main():
    await asyncio.gather(download("a", 3), download("b", 4), download("c", 5))


asyncio.run(main())
