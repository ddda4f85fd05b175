#!/usr/bin/env python
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.exceptions import ImproperlyConfigured
from django.core.management import execute_from_command_line

if __name__ == "__main__":
    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as problem:
        # A setting that is missing or wrong: what to set says more than a traceback.
        sys.exit(f"Switchback cannot start: {problem}")
