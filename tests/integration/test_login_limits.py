"""The login limit through several gunicorn workers: simultaneous attempts, both login
forms, a proxy in front, and a stranger who tries to lock a learner out."""

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.integration.servers import PASSWORD, Site

pytestmark = pytest.mark.slow

LIMIT = 5
ATTACKER = "203.0.113.66"
LEARNER = "198.51.100.7"


@pytest.fixture
def site(tmp_path):
    checked = tmp_path / "checked.txt"
    checked.write_text("")
    site = Site(
        tmp_path,
        settings="tests.integration.counting_settings",
        SWITCHBACK_CHECKED_PASSWORDS=str(checked),
        # One proxy in front, which appends the address it saw to X-Forwarded-For.
        DJANGO_TRUSTED_PROXIES="1",
        DJANGO_LOGIN_FAILURE_LIMIT=str(LIMIT),
    ).prepare()
    site.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; User.objects.filter(username='ada').update(is_staff=True)",
    )
    checked.write_text("")
    site.start(workers=4)
    site.checked = checked
    yield site
    site.stop()


def attempt(base: str, path: str, username: str, password: str, *, forwarded: str) -> int:
    """One login through the proxy: the page for its CSRF cookie, then the form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"X-Forwarded-For": forwarded}
    opener.open(urllib.request.Request(f"{base}{path}", headers=headers), timeout=30)
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/"}
    ).encode()
    request = urllib.request.Request(
        f"{base}{path}", data=data, headers=headers | {"Referer": f"{base}{path}"}
    )
    try:
        with opener.open(request, timeout=60) as response:
            # A success redirects away from the login page; a refusal shows it again.
            return 302 if "/login/" not in response.url else response.status
    except urllib.error.HTTPError as error:
        return error.code


def checked(site) -> int:
    return len(site.checked.read_text().splitlines())


def test_simultaneous_wrong_passwords_through_both_forms_check_at_most_the_limit(site):
    barrier = threading.Barrier(24)
    answers: list[int] = []

    def attack(n: int):
        path = "/accounts/login/" if n % 2 else "/admin/login/"
        barrier.wait(timeout=60)
        answers.append(attempt(site.base, path, "ada", f"wrong-{n}", forwarded=ATTACKER))

    threads = [threading.Thread(target=attack, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(answers) == 24
    assert checked(site) == LIMIT
    assert answers.count(429) >= 24 - LIMIT
    # The right password from that address is refused too, unchecked, while the lock lasts,
    # through either form.
    assert attempt(site.base, "/accounts/login/", "ada", PASSWORD, forwarded=ATTACKER) == 429
    assert attempt(site.base, "/admin/login/", "ada", PASSWORD, forwarded=ATTACKER) == 429
    assert checked(site) == LIMIT


def test_a_stranger_cannot_lock_a_learner_out_from_elsewhere(site):
    # Many failures, for random accounts and for ada, from one address, some with a forged
    # X-Forwarded-For that names the learner's address: the proxy's entry is what counts.
    for n in range(12):
        attempt(site.base, "/accounts/login/", f"someone-{n}", "guess", forwarded=ATTACKER)
    for n in range(8):
        forged = f"{LEARNER}, {ATTACKER}"
        attempt(site.base, "/accounts/login/", "ada", f"guess-{n}", forwarded=forged)
    assert attempt(site.base, "/accounts/login/", "ada", PASSWORD, forwarded=ATTACKER) == 429
    # The learner, at home, logs in at once.
    assert attempt(site.base, "/accounts/login/", "ada", PASSWORD, forwarded=LEARNER) == 302
