"""The settings module as an operator meets it: real processes with real environments."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def manage(*args, **env):
    # No .env: each test says the whole environment the process runs in.
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV_FILE": "",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_stops_and_names_the_variable():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_a_command_in_a_checkout_without_its_env_file_says_how_to_make_one():
    result = manage("check")
    assert result.returncode != 0
    assert result.stderr.startswith("Switchback cannot start: Set DJANGO_SECRET_KEY")
    assert "run `make run` once" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_without_allowed_hosts_stops_and_names_the_variable():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "Set DJANGO_ALLOWED_HOSTS" in result.stderr


def test_deploy_check_is_clean_with_the_default_production_settings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k" * 30 + "-Zq8!" + "p" * 30,
        DJANGO_ALLOWED_HOSTS="switchback.example.org",
        DJANGO_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_boolean_that_is_not_one_is_refused_with_a_hint():
    result = manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is not a boolean: use 1 or 0." in result.stderr


def test_the_cache_stores_and_returns_values():
    """Runs against Redis when REDIS_URL is set (CI does), locally in memory otherwise."""
    cache.set("switchback-test-key", {"done": 3}, 30)
    assert cache.get("switchback-test-key") == {"done": 3}
    cache.delete("switchback-test-key")
    assert cache.get("switchback-test-key") is None


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions(settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite pragmas apply to SQLite only")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL


def test_the_embedded_database_is_a_sqlite_file_in_wal_mode(tmp_path):
    script = (
        "from django.db import connection; c = connection.cursor();"
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])"
    )
    result = manage(
        "shell", "-v", "0", "-c", script, DJANGO_DEBUG="1", DJANGO_DATA_DIR=str(tmp_path)
    )
    assert result.stdout.split() == ["wal", "20000"], result.stderr
    assert (tmp_path / "db.sqlite3").exists()


def test_a_checkouts_development_file_is_not_read_in_production(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=1\nDJANGO_SECRET_KEY=from-the-development-file-" + "x" * 30)
    development = manage("check", DJANGO_ENV_FILE=str(env_file))
    assert development.returncode == 0, development.stderr
    production = manage(
        "check",
        DJANGO_ENV_FILE=str(env_file),
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="example.org",
    )
    assert production.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in production.stderr
