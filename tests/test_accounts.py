"""A learner's own account in the browser: email address, password change and reset."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-password-88"


def logs_in(username: str, password: str) -> bool:
    """Whether the login form lets this username and password in, in a fresh browser."""
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session


def test_a_learner_changes_the_password_and_logs_in_with_the_new_one(learner_client, learner):
    page = learner_client.get("/accounts/")
    assert "Change your password" in page.content.decode()
    response = learner_client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    assert logs_in("ada", NEW_PASSWORD)
    assert not logs_in("ada", PASSWORD)


def test_a_wrong_old_password_or_a_weak_new_one_is_refused_saying_why(learner_client, learner):
    response = learner_client.post(
        "/accounts/password/",
        {"old_password": "not-it", "new_password1": "123", "new_password2": "123"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in html
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_a_forgotten_password_is_reset_by_the_emailed_link(client, learner):
    learner.email = "ada@example.org"
    learner.save()
    response = client.post("/accounts/password/reset/", {"email": "ada@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert "Choose a new password" in message.subject
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)[1]

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your new password is set" in done.content.decode()
    assert logs_in("ada", NEW_PASSWORD)
    # The link works once.
    again = client.get(link, follow=True)
    assert "This link does not work any more" in again.content.decode()


def test_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(client, learner):
    known = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True)
    assert "If an account has that address" in known.content.decode()
    assert mail.outbox == []


def test_a_learner_sets_an_email_address_another_account_cannot_share(
    learner_client, learner, other_learner
):
    other_learner.email = "grace@example.org"
    other_learner.save()
    wrong = learner_client.post("/accounts/", {"email": "ada@example.org", "password": "nope"})
    assert "That is not your password" in wrong.content.decode()
    taken = learner_client.post("/accounts/", {"email": "GRACE@example.org", "password": PASSWORD})
    assert taken.status_code == 400
    html = taken.content.decode()
    assert "Another account uses that address" in html
    assert 'value="GRACE@example.org"' in html
    saved = learner_client.post(
        "/accounts/", {"email": "ada@example.org", "password": PASSWORD}, follow=True
    )
    assert "Saved your email address" in saved.content.decode()
    learner.refresh_from_db()
    assert learner.email == "ada@example.org"


def test_the_account_pages_need_a_login(client):
    for url in ["/accounts/", "/accounts/password/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_reset_links_are_limited_per_address_known_or_not(client, learner):
    learner.email = "ada@example.org"
    learner.save()
    for address in ["ada@example.org", "nobody@example.org"]:
        answers = [
            client.post("/accounts/password/reset/", {"email": address}).status_code
            for _ in range(4)
        ]
        # The same answers for an account's address and for an unknown one.
        assert answers == [302, 302, 302, 429], address
    assert len(mail.outbox) == 3
    refused = client.post("/accounts/password/reset/", {"email": "ada@example.org"})
    assert "Too many links were asked for" in refused.content.decode()
