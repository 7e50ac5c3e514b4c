# A synchronous HTTP client (urllib) inside a task: it waits for a slow
# server (0.4 s) without giving the loop back, so the ticker cannot tick.
#
# want: sync-client 30
import asyncio
import http.server
import threading
import time
import urllib.request


class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(0.4)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
threading.Thread(target=server.serve_forever, daemon=True).start()
URL = f"http://127.0.0.1:{server.server_address[1]}/"


async def fetch():
    await asyncio.sleep(0.01)
    with urllib.request.urlopen(URL) as r:
        return r.read().decode()


async def ticker():
    for _ in range(5):
        await asyncio.sleep(0.05)


async def main():
    print(await asyncio.gather(fetch(), ticker()))


asyncio.run(main())
server.shutdown()
