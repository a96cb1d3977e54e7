"""The benchmark's baseline: a bare Flask app rendering a small Jinja template file with render_template.

Served by bench/run.py with the same gunicorn settings as the portal (README: 4 workers).
"""
from flask import Flask, render_template

app = Flask(__name__)
ITEMS = [f"Item {i}" for i in range(10)]


@app.route("/")
def index():
    return render_template("page.html", title="Baseline", items=ITEMS)
