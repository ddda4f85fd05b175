"""Addresses of the site's pages, each reversed once.

A roadmap page links hundreds of milestones, a Reproductions page a hundred posts, and
Django's reverse() takes about 20 µs an address, every render. An address depends only on
the URL's name, its arguments, the URLconf and the script prefix, so it is remembered under
all four: a renamed roadmap, milestone or post asks under new arguments, and the old answer
is simply never asked for again.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def address(name: str, *args: str) -> str:
    """reverse(name, args=args), remembered."""
    return _reversed(name, args, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=8192)
def _reversed(name: str, args: tuple[str, ...], urlconf: str, prefix: str) -> str:
    return reverse(name, args=args, urlconf=urlconf)
