"""The benchmark's second yardstick: the least a durable check-in can cost. One row inserted and committed
with SQLAlchemy Core on the app's own database, with the app's engine tuning (SQLite WAL, writers taking
the lock at BEGIN), under the same gunicorn settings (`gunicorn -c gunicorn.conf.py
scripts.write_floor_app:app`). The scan's ratio to it says how much the rules cost beyond the write."""
import os

from flask import Flask, jsonify, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func, insert
from sqlalchemy.exc import SQLAlchemyError

from server.db_setup import normalize_url, tune_engine

engine = create_engine(normalize_url(os.environ["DATABASE_URL"]))
tune_engine(engine)
meta = MetaData()
FLOOR = Table("bench_write_floor", meta, Column("id", Integer, primary_key=True),
              Column("received_at", DateTime, server_default=func.now()), Column("body", String(200)))
try:
    meta.create_all(engine)
except SQLAlchemyError:  # another worker created it at the same moment
    pass
INSERT = insert(FLOOR)
app = Flask(__name__)


@app.get("/floor")
def ready():
    return jsonify({"ok": True})


@app.post("/floor")
def floor():
    with engine.begin() as conn:
        conn.execute(INSERT, {"body": request.get_data(as_text=True)[:200]})
    return jsonify({"outcome": "stored"}), 201
