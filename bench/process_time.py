"""Wall time of a whole command, best of COUNT runs (perf_counter; /usr/bin/time only has 10 ms steps).
   process_time.py COUNT COMMAND [ARG...]"""
import subprocess
import sys
import time

count, command = int(sys.argv[1]), sys.argv[2:]
best = None
for _ in range(count):
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(f"{best:.4f}")
