# A burst of lines, then a long wait: the lines must show before the wait
# ends. Then a second burst, and os._exit (no atexit): all of it shows.
import os
import sys
import time

for i in range(1000):
    print("line", i)
print("waiting", flush=False)
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 2)
for i in range(1000):
    print("again", i)
os._exit(0)
