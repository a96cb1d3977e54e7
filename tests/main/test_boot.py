"""The app starts on its own, as gunicorn and `flask --app wsgi` start it: not only after the test suite has
imported every model (an import made too early once left a relationship unresolved at start-up)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wsgi_imports_in_a_fresh_interpreter():
    env = dict(os.environ, DATABASE_URL="sqlite://")
    result = subprocess.run([sys.executable, "-c", "import wsgi; print(len(list(wsgi.app.url_map.iter_rules())))"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
