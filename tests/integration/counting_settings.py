"""The suite's settings, with a password hasher that notes each password it checks."""

from tests.settings import *  # noqa: F403

PASSWORD_HASHERS = ["tests.integration.counting_hasher.CountingHasher"]
