"""`make run` stops cleanly on Ctrl-C (issue 14): no "Segmentation fault" or "Terminated", exit 0 or 130, and
the mail worker and the reminder loop end with it. The recipe runs for real, with flask replaced by an idler."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAKE = Path(__file__).with_name("fake_flask.py")


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_ctrl_c_stops_make_run_quietly():
    # -o: treat the set-up targets as done (no pip, npm or database here); FLASK: the idler.
    process = subprocess.Popen(
        ["make", "--no-print-directory", "-o", "setup", "-o", "migrate", "-o", "demo", "run",
         f"FLASK={sys.executable} {FAKE}", "PORT=5914"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as a terminal starts it
    time.sleep(3)  # the web server, the mail worker and the reminder loop are up
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
    try:
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    text = output.decode()
    assert "run started" in text and "send-mail started" in text, text
    assert "Segmentation fault" not in text and "Terminated" not in text and "***" not in text, text
    assert process.returncode in (0, 130, -signal.SIGINT), text
    for _ in range(20):  # the killed helpers may take a moment to be reaped
        if not _group_alive(process.pid):
            break
        time.sleep(0.25)
    left = subprocess.run(["ps", "-o", "pid,stat,cmd", "-g", str(process.pid)], capture_output=True, text=True).stdout
    assert not _group_alive(process.pid), f"a helper outlived make run:\n{left}"
