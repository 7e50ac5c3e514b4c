"""Exercise 20: send 12 messages through the SMS API, at most 4 at a time. After: asyncdemo sms.

asyncdemo check serves the tutorial's SMS API ($SMS_URL; GET /1 takes a
second, scaled to 0.3 s here). main sends 12 messages at once: the API
takes at most 4 connections from one client, and today it gets 12. Keep at
most 4 requests in flight at any moment, still overlapping (about 0.9 s in
all, not 3.6 s one after another), and print "sent 12" at the end. Leave
the requests themselves as they are.

练习 20：通过 SMS API 发送 12 条消息，同时最多 4 条（先看 asyncdemo sms）。
asyncdemo check 会提供教程里的 SMS API（$SMS_URL；GET /1 需要一秒，这里缩放为 0.3 秒）。
main 一次发出 12 条消息：API 对一个客户端最多只接受 4 个连接，而今天它收到了 12 个。
让任何时刻最多只有 4 个请求在进行，同时仍然重叠（总共约 0.9 秒，而不是一个接一个的 3.6 秒），
最后打印 "sent 12"。不要修改请求本身。

Check it / 检查：asyncdemo check sms-fanout
"""
import asyncio
import os

import aiohttp

URL = os.environ["SMS_URL"]


async def send(session, n):
    async with session.get(f"{URL}/1") as resp:  # message n: the API answers "1 It works"
        return await resp.text()


async def main():
    async with aiohttp.ClientSession() as session:
        answers = await asyncio.gather(*(send(session, n) for n in range(12)))
    print(f"sent {len(answers)}")


asyncio.run(main())
