"""The app never signs with a constant: without SECRET_KEY it refuses to start outside development, and in
development it keeps a random key of its own in the instance folder (item 11 of the field issue)."""
import os

import pytest

import server.config as config_module
from server.config import load_config


@pytest.fixture
def no_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("APP_ENV", raising=False)


@pytest.mark.parametrize("env", ["production", "staging", "test"])
def test_outside_development_a_missing_secret_refuses_to_start(no_secret, tmp_path, monkeypatch, env):
    monkeypatch.setenv("APP_ENV", env)
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        load_config(str(tmp_path))


def test_development_keeps_a_random_key_in_the_instance_folder(no_secret, tmp_path):
    os.makedirs(tmp_path / "a")
    os.makedirs(tmp_path / "b")
    first = load_config(str(tmp_path / "a"))["SECRET_KEY"]
    again = load_config(str(tmp_path / "a"))["SECRET_KEY"]
    other = load_config(str(tmp_path / "b"))["SECRET_KEY"]
    assert first == again  # sessions and printed codes survive a restart
    assert other != first and len(first) >= 40  # random per installation, not a constant from the source
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only
    source = open(config_module.__file__, encoding="utf-8").read()
    assert first not in source and other not in source
