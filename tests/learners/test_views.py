"""Joining by invitation, the owner's invitations, and learners' profiles."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from learners.forms import SignUpForm
from learners.models import Invitation, Profile
from learners.services import site_owners
from roadmap.models import Roadmap

pytestmark = pytest.mark.django_db
STRONG = "correct-horse-battery-77"


@pytest.fixture
def owner(learner):
    """The site's owner, as the first run makes them."""
    learner.is_staff = True
    learner.save()
    learner.groups.add(site_owners())
    return learner


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def invitation(owner):
    return Invitation.objects.create(created_by=owner, note="Grace", max_uses=1)


def sign_up(client, url, username="hopper", email="hopper@example.org", password=STRONG):
    return client.post(
        url,
        {"username": username, "email": email, "password1": password, "password2": password},
    )


def test_the_owner_makes_an_invitation_and_sees_its_link(owner_client):
    response = owner_client.post(
        "/invitations/", {"note": "Study group", "max_uses": 5, "expires_at": "2099-01-01T12:00"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    page = owner_client.get("/invitations/").content.decode()
    assert f"/join/{invitation.token}/" in page
    assert "0 of 5" in page and "Open" in page


def test_someone_with_a_valid_invitation_signs_up_and_lands_on_starting_a_roadmap(invitation):
    client = Client()
    page = client.get(invitation.get_absolute_url())
    assert "Join by invitation" in page.content.decode()
    response = sign_up(client, invitation.get_absolute_url())
    assert response.status_code == 302 and response.url == "/roadmaps/new/"
    user = get_user_model().objects.get(username="hopper")
    assert not user.is_staff and not user.is_superuser
    assert Profile.objects.get(user=user).invitation == invitation
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.parametrize(
    ("change", "message", "status"),
    [
        ({"revoked_at": timezone.now()}, "withdrawn by the site", 410),
        ({"expires_at": timezone.now() - timezone.timedelta(days=1)}, "expired on", 410),
    ],
)
def test_a_withdrawn_or_expired_invitation_admits_no_one(invitation, change, message, status):
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    client = Client()
    for response in (
        client.get(invitation.get_absolute_url()),
        sign_up(client, invitation.get_absolute_url()),
    ):
        assert response.status_code == status
        assert message in response.content.decode()
        assert "No account was made" in response.content.decode()
    assert not get_user_model().objects.filter(username="hopper").exists()


def test_an_invitation_used_up_admits_no_one_more(invitation):
    assert sign_up(Client(), invitation.get_absolute_url()).status_code == 302
    response = sign_up(Client(), invitation.get_absolute_url(), "second", "second@example.org")
    assert response.status_code == 410
    assert "used by everyone it was for" in response.content.decode()
    assert not get_user_model().objects.filter(username="second").exists()


def test_a_forged_invitation_is_not_valid(invitation):
    response = sign_up(Client(), f"/join/{invitation.token}x/")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()
    assert not get_user_model().objects.filter(username="hopper").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"username": "ada"}, "A user with that username already exists."),
        ({"email": "ADA@example.org"}, "An account already uses that address"),
        ({"password": "12345678"}, "This password is too common."),
    ],
)
def test_sign_up_says_which_field_is_wrong_and_keeps_what_was_typed(
    invitation, learner, overrides, message
):
    learner.email = "ada@example.org"
    learner.save()
    fields = {"username": "hopper", "email": "hopper@example.org", "password": STRONG} | overrides
    response = sign_up(Client(), invitation.get_absolute_url(), **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{fields["email"]}"' in html
    assert Invitation.objects.with_uses().get().n_uses == 0


def test_open_sign_up_is_off_unless_the_site_turns_it_on(settings):
    assert Client().get("/join/").status_code == 404
    settings.OPEN_SIGNUP = True
    assert sign_up(Client(), "/join/").status_code == 302


def test_sign_ups_from_one_address_are_limited(invitation, settings):
    settings.OPEN_SIGNUP = True
    # Each from a new browser on the same address.
    answers = [
        sign_up(Client(), "/join/", f"user{n}", f"user{n}@example.org").status_code
        for n in range(11)
    ]
    assert answers[-1] == 429
    assert get_user_model().objects.filter(username__startswith="user").count() == 10


def test_the_owner_withdraws_an_invitation(owner_client, invitation):
    owner_client.post(f"/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert Client().get(invitation.get_absolute_url()).status_code == 410


@pytest.mark.parametrize("who", ["anonymous", "learner"])
def test_only_the_owner_sees_or_changes_invitations(who, invitation, other_learner):
    client = Client()
    if who == "learner":
        client.force_login(other_learner)
    for response in (
        client.get("/invitations/"),
        client.post("/invitations/", {"note": "x", "max_uses": 1, "expires_at": "2099-01-01"}),
        client.post(f"/invitations/{invitation.pk}/revoke/"),
    ):
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert response.url.startswith("/accounts/login/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is None and Invitation.objects.count() == 1


def test_a_profile_shows_the_name_bio_links_roadmaps_and_posts(client, learner, roadmap, make_post):
    Profile.objects.create(
        user=learner,
        display_name="Ada L.",
        bio="Engineer, **learning** ML. <script>alert(1)</script>",
        github="https://github.com/ada",
    )
    make_post(title="Week 1: vectors")
    html = client.get("/learners/ada/").content.decode()
    assert "<h1>Ada L.</h1>" in html
    assert "<strong>learning</strong>" in html and "<script>alert" not in html
    assert 'href="https://github.com/ada"' in html
    assert roadmap.title in html and "Week 1: vectors" in html
    feed = client.get("/learners/ada/feed/")
    assert feed.status_code == 200 and "Week 1: vectors" in feed.content.decode()


def test_a_private_profile_is_404_to_others_and_its_owner_still_sees_it(
    client, learner, learner_client, other_learner, roadmap
):
    Profile.objects.create(user=learner, is_private=True)
    assert client.get("/learners/ada/").status_code == 404
    assert client.get("/learners/ada/feed/").status_code == 404
    other = Client()
    other.force_login(other_learner)
    assert other.get("/learners/ada/").status_code == 404
    own = learner_client.get("/learners/ada/")
    assert own.status_code == 200 and "Private profile: only you see it" in own.content.decode()
    # The public roadmap stays public.
    assert client.get(roadmap.get_absolute_url()).status_code == 200


def test_a_profile_link_that_is_not_a_web_address_is_refused(learner_client, learner):
    response = learner_client.post(
        "/accounts/profile/",
        {"display_name": "Ada", "website": "javascript:alert(1)", "github": "ftp://x.org/a"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid URL." in html or "starting with https://" in html
    assert not Profile.objects.filter(user=learner, display_name="Ada").exists()


def test_a_learner_edits_the_profile(learner_client, learner):
    response = learner_client.post(
        "/accounts/profile/",
        {"display_name": "Ada L.", "bio": "Hello", "website": "https://ada.dev"},
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=learner)
    assert (profile.display_name, profile.website) == ("Ada L.", "https://ada.dev")
    assert "<p>Hello</p>" in profile.bio_html


def test_a_missing_learner_is_404(client):
    assert client.get("/learners/nobody/").status_code == 404


def test_the_join_page_needs_no_login_and_sends_a_learner_already_in_to_start(
    learner_client, invitation
):
    response = learner_client.get(invitation.get_absolute_url())
    assert response.status_code == 302 and response.url == "/roadmaps/new/"
    assert Roadmap.objects.count() == 0
    assert re.match(r"^[A-Za-z0-9_-]{20,}$", invitation.token)


def test_pages_show_the_display_name_linked_to_a_public_profile(
    client, learner, roadmap, make_post
):
    profile = Profile.objects.create(user=learner, display_name="Ada Lovelace")
    post = make_post(title="Notes on SVD")
    link = '<a href="/learners/ada/">Ada Lovelace</a>'
    assert f"A roadmap by {link}" in client.get(roadmap.get_absolute_url()).content.decode()
    assert f"By {link}" in client.get(post.get_absolute_url()).content.decode()
    profile.is_private = True
    profile.save()
    html = client.get(roadmap.get_absolute_url()).content.decode()
    assert "A roadmap by Ada Lovelace" in html and "/learners/ada/" not in html


def test_a_picture_goes_through_the_image_checks_and_shows_on_the_profile(
    learner_client, client, learner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "teal").save(buffer, "PNG")
    picture = SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")
    response = learner_client.post(
        "/accounts/profile/", {"display_name": "Ada", "picture": picture}
    )
    assert response.status_code == 302
    avatar = Profile.objects.get(user=learner).avatar
    assert re.fullmatch(r"/media/uploads/\d{4}/\d{2}/[0-9a-f]{32}\.png", avatar)
    assert f'src="{avatar}" alt="Ada"' in client.get("/learners/ada/").content.decode()
    fake = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    refused = learner_client.post("/accounts/profile/", {"display_name": "Ada", "picture": fake})
    assert refused.status_code == 400
    assert "not a PNG, JPEG or WebP image" in refused.content.decode()
    assert Profile.objects.get(user=learner).avatar == avatar


@pytest.mark.parametrize("who", ["owner", "learner", "anonymous"])
def test_who_may_open_each_study_group_page(who, owner, other_learner, invitation, roadmap):
    """The site's owner, another learner and a visitor, over every page this app adds."""
    Profile.objects.create(user=owner, is_private=True)
    client = Client()
    if who != "anonymous":
        client.force_login(owner if who == "owner" else other_learner)
    expected = {
        "/invitations/": {"owner": 200, "learner": 404, "anonymous": 302},
        "/accounts/": {"owner": 200, "learner": 200, "anonymous": 302},
        "/accounts/profile/": {"owner": 200, "learner": 200, "anonymous": 302},
        "/accounts/password/": {"owner": 200, "learner": 200, "anonymous": 302},
        "/learners/ada/": {"owner": 200, "learner": 404, "anonymous": 404},
        "/learners/ada/feed/": {"owner": 200, "learner": 404, "anonymous": 404},
        "/learners/grace/": {"owner": 200, "learner": 200, "anonymous": 200},
        invitation.get_absolute_url(): {"owner": 302, "learner": 302, "anonymous": 200},
        "/admin/learners/invitation/": {"owner": 200, "learner": 302, "anonymous": 302},
        "/admin/roadmap/roadmap/": {"owner": 200, "learner": 302, "anonymous": 302},
    }
    if who == "owner":
        owner.groups.add(site_owners())
    for url, statuses in expected.items():
        assert client.get(url).status_code == statuses[who], (url, who)
    revoke = client.post(f"/invitations/{invitation.pk}/revoke/")
    assert revoke.status_code == {"owner": 302, "learner": 404, "anonymous": 302}[who]
    invitation.refresh_from_db()
    assert (invitation.revoked_at is not None) == (who == "owner")


def test_feeds_name_the_author_by_display_name(client, learner, roadmap, make_post):
    Profile.objects.create(user=learner, display_name="Ada Lovelace")
    make_post(title="On SVD")
    assert "<name>Ada Lovelace</name>" in client.get("/journal/feed/").content.decode()


def test_the_same_username_sent_twice_at_once_gets_a_form_error(invitation, monkeypatch):
    # The second request passed the form's check before the first one saved.
    Invitation.objects.filter(pk=invitation.pk).update(max_uses=2)
    sign_up(Client(), invitation.get_absolute_url())
    monkeypatch.setattr(SignUpForm, "clean_username", lambda form: form.cleaned_data["username"])
    monkeypatch.setattr(SignUpForm, "validate_unique", lambda form: None)
    response = sign_up(Client(), invitation.get_absolute_url(), email="other@example.org")
    assert response.status_code == 400
    assert "That username was just taken" in response.content.decode()
    assert get_user_model().objects.filter(username="hopper").count() == 1
