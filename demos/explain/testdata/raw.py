# What reaches the file descriptors without Python's sys.stdout (a C
# library's output, a child process's) is shown too.
import os
import sys

print("from print")
sys.stdout.flush()
os.write(1, b"from the fd\n")
