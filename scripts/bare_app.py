"""The benchmark's yardstick: a bare Flask endpoint returning a small JSON, served by the same
gunicorn settings as the app (`gunicorn -c gunicorn.conf.py scripts.bare_app:app`), so scan
throughput is reported as a ratio to it rather than as a machine-dependent number."""
from flask import Flask, jsonify

app = Flask(__name__)


@app.route("/bare", methods=["GET", "POST"])
def bare():
    return jsonify({"outcome": "ok", "message": "bare endpoint"})
