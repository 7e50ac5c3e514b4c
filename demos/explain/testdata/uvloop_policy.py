# A program that installs uvloop's policy (here a stand-in, with env
# PYTHONPATH=fakeuvloop): asyncdemo cannot see inside that loop, says so in
# a note, and runs the program as it is.
#
# env: PYTHONPATH=fakeuvloop
# want: foreign-loop
import asyncio
import time

import uvloop


async def main():
    time.sleep(0.3)  # a blocking call the recorder cannot see
    print("ran on", type(asyncio.get_running_loop()).__module__)


uvloop.install()
asyncio.run(main())
uvloop.run(main())
