"""Stands in for `flask --app wsgi` in tests/make/test_make_run.py: each command idles like the real one."""
import sys
import time

command = sys.argv[1] if len(sys.argv) > 1 else ""
if command in ("send-reminders", "apply-retention"):  # one-shot jobs in the loop: they end by themselves
    sys.exit(0)
print(f"{command} started", flush=True)
try:
    while True:
        time.sleep(0.1)
except KeyboardInterrupt:  # as `flask run` does on Ctrl-C
    sys.exit(0)
