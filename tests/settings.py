"""The settings the test suite runs with, so a bare `pytest` works in a fresh clone.

The project's own settings module in development mode, with nothing read from a developer's
`.env`, and a fast password hasher: the suite creates hundreds of accounts, and hashing each
password with PBKDF2 took most of a fixture's time.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ["DJANGO_ENV_FILE"] = ""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Template coverage needs the template engine's debug information.
TEMPLATES[0]["OPTIONS"]["debug"] = True  # noqa: F405
