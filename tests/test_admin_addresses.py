"""Addresses stay as kept when the admin renames, and when a learner's account is deleted."""

import pytest
from django.contrib.auth import get_user_model
from django.forms import MultiWidget
from django.test import Client

from journal.models import Post, PostAddress
from roadmap.models import RoadmapAddress

pytestmark = pytest.mark.django_db


def _values(form) -> dict:
    data = {}
    for field in form:
        value = field.value()
        if value is None:
            continue
        widget = field.field.widget
        if isinstance(widget, MultiWidget):  # the admin's date and time, side by side
            for n, part in enumerate(widget.decompress(value)):
                data[f"{field.html_name}_{n}"] = widget.widgets[n].format_value(part)
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        else:
            data[field.html_name] = str(value)
    return data


def admin_change(client, url: str, **changes) -> object:
    """Post the admin's change form as it stands, with `changes` to its main form."""
    page = client.get(url)
    data = _values(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= _values(formset.management_form)
        for form in formset.forms:
            data |= _values(form)
    data |= changes
    return client.post(url, data)


def test_a_post_renamed_in_the_admin_redirects_from_its_old_address(owner_client, make_post):
    post = make_post(title="Attention", slug="attention")
    response = admin_change(owner_client, f"/admin/journal/post/{post.pk}/change/", slug="attn")
    assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert post.slug == "attn"
    old = Client().get("/journal/attention/")
    assert old.status_code == 302 and old["Location"] == "/journal/attn/"


def test_a_roadmap_renamed_in_the_admin_redirects_from_its_old_address(owner_client, roadmap):
    old_address = roadmap.get_absolute_url()
    response = admin_change(
        owner_client, f"/admin/roadmap/roadmap/{roadmap.pk}/change/", slug="renamed-here"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    roadmap.refresh_from_db()
    assert roadmap.slug == "renamed-here"
    old = Client().get(old_address)
    assert old.status_code == 302 and old["Location"] == roadmap.get_absolute_url()


def test_a_learner_deleted_with_their_roadmap_and_posts_leaves_the_addresses_kept(
    learner, roadmap, make_post
):
    make_post(slug="week-1")
    roadmap_address = roadmap.slug
    get_user_model().objects.filter(pk=learner.pk).delete()
    assert not Post.objects.exists()
    kept = RoadmapAddress.objects.get(slug=roadmap_address)
    assert kept.roadmap is None and kept.owner is None
    assert PostAddress.objects.get(slug="week-1").author is None


def test_the_admin_refuses_an_address_another_post_had(owner_client, make_post, other_learner):
    kept = make_post(title="Theirs", slug="theirs", author=other_learner)
    kept.move_to("theirs-now")
    post = make_post(title="Mine", slug="mine")
    response = admin_change(owner_client, f"/admin/journal/post/{post.pk}/change/", slug="theirs")
    assert response.status_code == 200
    assert "The address “theirs” is in use" in response.content.decode()
    post.refresh_from_db()
    assert post.slug == "mine"
    assert Client().get("/journal/theirs/")["Location"] == "/journal/theirs-now/"


def test_the_admin_refuses_an_address_another_roadmap_had(owner_client, roadmap, other_learner):
    RoadmapAddress.objects.create(slug="kept-address", owner=other_learner)
    response = admin_change(
        owner_client, f"/admin/roadmap/roadmap/{roadmap.pk}/change/", slug="kept-address"
    )
    assert response.status_code == 200
    assert "That address is in use" in response.content.decode()
    roadmap.refresh_from_db()
    assert roadmap.slug != "kept-address"
