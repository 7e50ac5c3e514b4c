"""Exercise 6: give up after a second. After: asyncdemo cancel.

ask() asks a server that should answer at once, but today it hangs for
10 seconds. Don't wait that long: give up after 1 second, print
"gave up after 1 s" at that moment, and make sure the call is cancelled,
not left waiting. When the server does answer in time, main prints it as
before. Leave ask as it is.

练习 6：一秒后放弃（先看 asyncdemo cancel）。
ask() 询问一个本应立刻回答的服务器，但今天它卡了 10 秒。不要等那么久：1 秒后放弃，
在那一刻打印 "gave up after 1 s"，并且确保调用被取消，而不是留在那里继续等。
服务器按时回答时，main 像原来一样打印答案。不要修改 ask。

Check it / 检查：asyncdemo check timeout
"""
import asyncio


async def ask(question, delay):
    await asyncio.sleep(delay)  # the server, pretended: today it hangs
    return f"the answer to {question}"


async def main():
    answer = await ask("life", 10)
    print(answer)
    await asyncio.sleep(2)  # main goes on with other work


asyncio.run(main())
