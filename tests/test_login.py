import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client, username, password, address="203.0.113.9"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_login_through_the_form_works(client, learner):
    response = attempt(client, "ada", PASSWORD)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == learner.pk
    assert (
        "Signed in as <strong>ada</strong>"
        in client.get(response.url, follow=True).content.decode()
    )


def test_failed_login_says_so_and_keeps_the_username(client, learner):
    response = attempt(client, "ada", "wrong")
    assert response.status_code == 200
    html = response.content.decode()
    assert "That username and password do not match" in html
    assert 'value="ada"' in html


def test_five_failures_lock_that_account_from_that_address_for_a_while(
    client, learner, other_learner
):
    for _ in range(4):
        assert attempt(client, "ada", "wrong").status_code == 200
    # The fifth wrong password is the last one checked: it locks the account at once.
    fifth = attempt(client, "ada", "wrong")
    assert fifth.status_code == 429
    assert "Too many failed attempts. Wait 15 minutes" in fifth.content.decode()
    refused = attempt(client, "ada", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed attempts. Wait 15 minutes" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account, or the same one from another address, is not locked.
    assert attempt(client, "grace", PASSWORD).status_code == 302
    assert attempt(client, "ada", PASSWORD, address="198.51.100.7").status_code == 302


def test_a_success_clears_the_failures(client, learner):
    for _ in range(4):
        attempt(client, "ada", "wrong")
    assert attempt(client, "ada", PASSWORD).status_code == 302
    client.logout()
    # Had the first four failures still counted, the fifth below would lock the account.
    for _ in range(4):
        attempt(client, "ada", "wrong")
    assert attempt(client, "ada", PASSWORD).status_code == 302
    assert int(client.session["_auth_user_id"]) == learner.pk
