"""A hasher that appends a line to a file for every password it checks, in any process."""

import os

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingHasher(MD5PasswordHasher):
    def verify(self, password, encoded):
        with open(os.environ["SWITCHBACK_CHECKED_PASSWORDS"], "a") as log:  # noqa: PTH123
            log.write("checked\n")
        return super().verify(password, encoded)
