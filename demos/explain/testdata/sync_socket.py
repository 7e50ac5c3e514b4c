# A blocking socket read inside a task: the server answers after 0.4 s, and
# the loop waits with it.
#
# want: sync-client 26
import asyncio
import socket
import threading
import time

listener = socket.create_server(("127.0.0.1", 0))


def serve():
    conn, _ = listener.accept()
    with conn:
        time.sleep(0.4)
        conn.sendall(b"pong")


threading.Thread(target=serve, daemon=True).start()


async def ask():
    with socket.create_connection(listener.getsockname()) as s:
        s.sendall(b"ping")
        return s.recv(4)


async def ticker():
    for _ in range(5):
        await asyncio.sleep(0.05)


async def main():
    print(await asyncio.gather(ask(), ticker()))


asyncio.run(main())
