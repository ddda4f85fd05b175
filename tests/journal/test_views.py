import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from journal.forms import PostForm
from journal.models import Post, Upload
from journal.services import reflection_create
from learners.models import Profile
from roadmap.curriculum import load_curriculum
from roadmap.models import Milestone, Roadmap, Status
from roadmap.services import milestone_set_status
from tests.factories import PROGRESS_SHOWN, SITE_VERSION, bulk_posts

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
ATOM = "{http://www.w3.org/2005/Atom}"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def form_data(roadmap, **overrides):
    data = {
        "roadmap": roadmap.pk,
        "title": "Week 3: backprop finally clicked",
        "slug": "",
        "kind": "weekly",
        "body": "## Wins\n\n$e^{i\\pi}+1=0$",
        "summary": "",
        "action": "publish",
    }
    return {**data, **overrides}


# Reading -----------------------------------------------------------------------------------


def test_journal_lists_published_posts_newest_first(client, make_post):
    old = make_post(title="Older", published_at=timezone.now() - timezone.timedelta(days=2))
    new = make_post(title="Newer")
    make_post(title="Hidden draft", status=Post.Status.DRAFT)
    html = text_of(client.get("/journal/"))
    assert html.index(new.title) < html.index(old.title)
    assert "Hidden draft" not in html


def test_journal_filters_by_kind_and_topic(client, make_post, roadmap):
    topic = roadmap.topics.get(key="linear-algebra")
    make_post(title="A TIL", kind=Post.Kind.TIL, topics=[topic])
    make_post(title="An essay", kind=Post.Kind.ESSAY)
    html = text_of(client.get("/journal/?kind=til"))
    assert "A TIL" in html and "An essay" not in html
    html = text_of(client.get(f"/journal/?topic={topic.slug}"))
    assert "A TIL" in html and "An essay" not in html
    assert "Journal: Linear algebra" in html


def test_unknown_kind_filter_says_so_and_shows_everything(client, make_post):
    make_post(title="An essay", kind=Post.Kind.ESSAY)
    html = text_of(client.get("/journal/?kind=poem"))
    assert "There is no kind “poem”" in html and "An essay" in html


def test_journal_is_paginated(client, roadmap):
    bulk_posts(roadmap, 25)
    first = text_of(client.get("/journal/"))
    assert "Page 1 of 2" in first and "Bulk 0" in first and "Bulk 24" not in first
    assert "Bulk 24" in text_of(client.get("/journal/?page=2"))


def test_post_page_shows_dates_reading_time_ties_and_neighbours(client, make_post, roadmap):
    milestone = roadmap.milestones.get(key="svd-pca")
    milestone_set_status(milestone=milestone, status=Status.DONE)
    topic = milestone.topic
    first = make_post(title="First", published_at=timezone.now() - timezone.timedelta(days=3))
    post = make_post(
        title="Second",
        milestones=[milestone],
        topics=[topic],
        published_at=timezone.now() - timezone.timedelta(days=2),
    )
    last = make_post(title="Third", published_at=timezone.now() - timezone.timedelta(days=1))
    html = text_of(client.get(post.get_absolute_url()))
    assert "1 min read" in html
    assert f'href="{milestone.get_absolute_url()}"' in html
    assert '<span class="status-text">Done</span>' in html
    assert f'href="{topic.get_absolute_url()}"' in html
    assert f'rel="prev" href="{first.get_absolute_url()}"' in html
    assert f'rel="next" href="{last.get_absolute_url()}"' in html
    assert '<link rel="canonical" href="http://testserver/journal/' in html
    assert '<meta property="og:type" content="article">' in html
    assert 'name="robots"' not in html


def test_draft_is_404_for_others_and_bannered_noindex_for_its_author(
    client, learner_client, make_post, other_learner
):
    draft = make_post(status=Post.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(other_learner)
    assert client.get(draft.get_absolute_url()).status_code == 404
    html = text_of(learner_client.get(draft.get_absolute_url()))
    assert "only you can see this page" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_scheduled_post_is_hidden_until_its_time(client, make_post):
    post = make_post(published_at=timezone.now() + timezone.timedelta(hours=1))
    assert client.get(post.get_absolute_url()).status_code == 404
    assert post.title not in client.get("/journal/").content.decode()
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=1, seconds=1)):
        assert client.get(post.get_absolute_url()).status_code == 200
        assert post.title in client.get("/journal/").content.decode()


def test_milestone_and_topic_pages_list_their_published_posts(client, make_post, roadmap):
    milestone = roadmap.milestones.get(key="svd-pca")
    make_post(title="About PCA", milestones=[milestone], topics=[milestone.topic])
    make_post(
        title="Draft about PCA",
        status=Post.Status.DRAFT,
        milestones=[milestone],
        topics=[milestone.topic],
    )
    for url in [milestone.get_absolute_url(), milestone.topic.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert "About PCA" in html and "Draft about PCA" not in html


# Writing -----------------------------------------------------------------------------------


def test_writing_needs_login(client):
    response = client.get("/journal/new/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_learner_publishes_a_post_with_a_slug_from_its_title(learner_client, roadmap):
    milestone = roadmap.milestones.get(key="svd-pca")
    response = learner_client.post(
        "/journal/new/", form_data(roadmap, milestones=[milestone.pk], topics=[milestone.topic.pk])
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response.url == post.get_absolute_url()
    assert post.slug == "week-3-backprop-finally-clicked"
    assert post.is_public
    assert "<math" in post.body_html
    assert list(post.milestones.all()) == [milestone]


def test_save_draft_then_publish_keeps_the_first_publication_date(learner_client, roadmap):
    learner_client.post("/journal/new/", form_data(roadmap, action="draft"))
    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT and post.published_at is None
    edit = reverse("journal:edit", args=[post.slug])
    learner_client.post(edit, form_data(roadmap, slug=post.slug, action="publish"))
    post.refresh_from_db()
    first = post.published_at
    learner_client.post(
        edit, form_data(roadmap, slug=post.slug, title="Retitled", action="publish")
    )
    post.refresh_from_db()
    assert (post.title, post.published_at) == ("Retitled", first)


def test_schedule_needs_a_future_time(learner_client, roadmap):
    past = (timezone.now() - timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = learner_client.post(
        "/journal/new/", form_data(roadmap, action="schedule", publish_at=past)
    )
    assert response.status_code == 400
    assert "That time has passed" in response.content.decode()
    future = (timezone.now() + timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    learner_client.post("/journal/new/", form_data(roadmap, action="schedule", publish_at=future))
    assert Post.objects.get().is_scheduled


def test_form_error_keeps_what_was_typed(learner_client, roadmap, make_post):
    make_post(slug="taken")
    response = learner_client.post(
        "/journal/new/", form_data(roadmap, slug="taken", body="Keep *this* text")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The address “taken” is in use: choose another" in html
    assert "Keep *this* text" in html
    assert 'value="Week 3: backprop finally clicked"' in html
    assert Post.objects.count() == 1


def test_reserved_slug_is_refused(learner_client, roadmap):
    response = learner_client.post("/journal/new/", form_data(roadmap, slug="feed"))
    assert "“feed” is reserved" in response.content.decode()


def test_milestones_of_another_users_roadmap_cannot_be_tied(learner_client, roadmap, other_learner):
    other = Roadmap.objects.create(owner=other_learner, title="G", slug="g")
    stage = other.stages.create(key="s", title="S")
    topic = other.topics.create(stage=stage, key="t", slug="t", title="T")
    foreign = Milestone.objects.create(roadmap=other, topic=topic, key="m", slug="m", title="M")
    response = learner_client.post("/journal/new/", form_data(roadmap, milestones=[foreign.pk]))
    assert response.status_code == 400
    assert not Post.objects.exists()


def test_another_users_post_cannot_be_edited(client, make_post, other_learner):
    post = make_post()
    client.force_login(other_learner)
    assert client.get(reverse("journal:edit", args=[post.slug])).status_code == 404


def test_new_weekly_log_starts_from_the_week_number_and_prompts(learner_client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(
        started_on=timezone.localdate() - timezone.timedelta(days=15)
    )
    html = learner_client.get("/journal/new/?kind=weekly").content.decode()
    assert 'value="Week 3"' in html
    for prompt in ["## Wins", "## Struggles", "## Confusion", "## Breakthroughs"]:
        assert prompt in html


def test_editor_preview_and_upload_go_to_the_projects_own_views(learner_client, roadmap):
    html = learner_client.get("/journal/new/").content.decode()
    assert 'data-markdownx-urls-path="/journal/preview/"' in html
    assert 'data-markdownx-upload-urls-path="/journal/upload/"' in html
    assert "hx-disable" in html


# Preview and upload ------------------------------------------------------------------------


def test_preview_renders_through_the_sanitiser(learner_client):
    response = learner_client.post(
        "/journal/preview/", {"content": "**hi** <script>alert(1)</script> $x^2$"}
    )
    html = response.content.decode()
    assert "<strong>hi</strong>" in html and "<math" in html
    assert "<script" not in html


def test_preview_without_content_is_400(learner_client):
    assert learner_client.post("/journal/preview/", {}).status_code == 400


def test_anonymous_preview_and_upload_are_refused(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    assert client.post("/journal/preview/", {"content": "x"}).status_code == 403
    image = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    assert client.post("/journal/upload/", {"image": image}).status_code == 403
    assert list(tmp_path.iterdir()) == []


def test_upload_without_image_is_400(learner_client):
    response = learner_client.post("/journal/upload/", {})
    assert response.status_code == 400
    assert "Send the image" in response.json()["error"]


def test_preview_and_upload_refuse_get(learner_client):
    assert learner_client.get("/journal/preview/").status_code == 405
    assert learner_client.get("/journal/upload/").status_code == 405


def test_preview_refuses_a_post_without_csrf(learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post("/journal/preview/", {"content": "x"}).status_code == 403


# Reflection --------------------------------------------------------------------------------


def status_url(milestone):
    return reverse("roadmap:milestone-status", args=[milestone.roadmap.slug, milestone.slug])


def reflect_url(milestone):
    return reverse("journal:reflect", args=[milestone.roadmap.slug, milestone.slug])


def test_marking_done_offers_a_reflection_in_the_same_answer(learner_client, milestone):
    html = text_of(learner_client.post(status_url(milestone), {"status": "done"}, **HTMX))
    assert f'hx-post="{reflect_url(milestone)}"' in html
    assert "A short reflection on" in html
    html = text_of(learner_client.post(status_url(milestone), {"status": "in_progress"}, **HTMX))
    assert "A short reflection on" not in html


def test_reflection_becomes_a_post_tied_to_the_milestone(learner_client, milestone):
    milestone_set_status(milestone=milestone, status=Status.DONE)
    response = learner_client.post(
        reflect_url(milestone),
        {
            "learnt": "SVD is PCA's engine.",
            "hard": "Signs of singular vectors.",
            "evidence_url": "https://github.com/ada/ml/tree/main/pca",
            "action": "publish",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert response.template_name == "includes/milestone.html"
    post = Post.objects.get()
    assert post.kind == Post.Kind.REFLECTION and post.is_public
    assert list(post.milestones.all()) == [milestone]
    assert "SVD is PCA" in post.body_html and "What was hard" in post.body_html
    assert "Reflection published" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.evidence_url == "https://github.com/ada/ml/tree/main/pca"


def test_reflection_can_be_saved_as_a_draft(learner_client, milestone):
    learner_client.post(reflect_url(milestone), {"learnt": "x", "action": "draft"}, **HTMX)
    assert Post.objects.get().status == Post.Status.DRAFT


def test_skipping_the_reflection_saves_nothing(learner_client, milestone):
    response = learner_client.post(reflect_url(milestone), {"action": "skip"}, **HTMX)
    assert response.status_code == 200
    assert "A short reflection on" not in response.content.decode()
    assert not Post.objects.exists()


def test_reflection_without_what_was_learnt_keeps_the_form_and_says_why(learner_client, milestone):
    response = learner_client.post(
        reflect_url(milestone), {"learnt": "", "hard": "keep me", "action": "publish"}, **HTMX
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required" in html and "keep me" in html
    assert not Post.objects.exists()


def test_reflection_on_another_users_milestone_is_404(client, milestone, other_learner):
    client.force_login(other_learner)
    response = client.post(reflect_url(milestone), {"learnt": "x", "action": "publish"})
    assert response.status_code == 404
    assert not Post.objects.exists()


# Feeds, sitemap, robots --------------------------------------------------------------------


def atom(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_journal_feed_is_atom_with_full_html_and_no_drafts(client, make_post):
    make_post(title="Public", body="Hello $x^2$ and `code`")
    make_post(title="Draft", status=Post.Status.DRAFT)
    make_post(title="Later", published_at=timezone.now() + timezone.timedelta(days=1))
    feed = atom(client.get("/journal/feed/"))
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Public"]
    entry = entries[0]
    for child in ["id", "updated", "published", "link", "author", "summary", "content"]:
        assert entry.find(f"{ATOM}{child}") is not None, child
    assert "<math" in entry.findtext(f"{ATOM}content")
    assert feed.findtext(f"{ATOM}title") == "Switchback journal"


def test_kind_and_topic_feeds_hold_only_their_posts(client, make_post, roadmap):
    topic = roadmap.topics.get(key="linear-algebra")
    make_post(title="A TIL", kind=Post.Kind.TIL, topics=[topic])
    make_post(title="An essay", kind=Post.Kind.ESSAY)
    titles = [
        e.findtext(f"{ATOM}title")
        for e in atom(client.get("/journal/kinds/til/feed/")).findall(f"{ATOM}entry")
    ]
    assert titles == ["A TIL"]
    url = reverse("topic-feed", args=[roadmap.slug, topic.slug])
    titles = [e.findtext(f"{ATOM}title") for e in atom(client.get(url)).findall(f"{ATOM}entry")]
    assert titles == ["A TIL"]
    assert client.get("/journal/kinds/poem/feed/").status_code == 404


def test_roadmap_feed_mixes_completed_milestones_and_posts(client, make_post, roadmap):
    milestone_set_status(milestone=roadmap.milestones.get(key="svd-pca"), status=Status.DONE)
    make_post(title="Wrote it up")
    make_post(title="Unfinished", status=Post.Status.DRAFT)
    url = reverse("roadmap-feed", args=[roadmap.slug])
    titles = {e.findtext(f"{ATOM}title") for e in atom(client.get(url)).findall(f"{ATOM}entry")}
    assert titles == {"Completed: Derive and code PCA via SVD", "Wrote it up"}


def test_private_roadmap_feeds_are_404(client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=Roadmap.Visibility.PRIVATE)
    assert client.get(reverse("roadmap-feed", args=[roadmap.slug])).status_code == 404
    topic = roadmap.topics.first()
    assert client.get(reverse("topic-feed", args=[roadmap.slug, topic.slug])).status_code == 404


def test_sitemap_lists_public_pages_and_no_drafts(client, make_post, roadmap):
    make_post(slug="public-post")
    make_post(slug="secret-draft", status=Post.Status.DRAFT)
    xml = client.get("/sitemap.xml").content.decode()
    assert "/journal/public-post/" in xml and "secret-draft" not in xml
    assert "/roadmaps/test-path/topics/linear-algebra/" in xml
    assert "/roadmaps/test-path/milestones/svd-pca/" in xml
    roadmap.visibility = Roadmap.Visibility.PRIVATE
    roadmap.save()
    xml = client.get("/sitemap.xml").content.decode()
    assert "test-path" not in xml and "public-post" not in xml


def test_robots_points_to_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text


# Query counts: the same at 10 and 500 posts ------------------------------------------------


@pytest.mark.parametrize("size", [10, 500])
def test_journal_list_queries_do_not_grow(size, client, roadmap, django_assert_num_queries):
    bulk_posts(roadmap, size, topic=roadmap.topics.first())
    with django_assert_num_queries(2 + SITE_VERSION):
        client.get("/journal/")


@pytest.mark.parametrize("size", [10, 500])
def test_post_page_queries_do_not_grow(size, client, roadmap, django_assert_num_queries):
    milestone = roadmap.milestones.first()
    posts = bulk_posts(roadmap, size, milestone=milestone, topic=milestone.topic)
    with django_assert_num_queries(5 + SITE_VERSION + PROGRESS_SHOWN):
        client.get(posts[size // 2].get_absolute_url())


def test_writing_without_a_roadmap_sends_the_learner_to_start_one(learner_client):
    response = learner_client.get("/journal/new/")
    assert response.status_code == 302 and response.url == reverse("roadmap:new")


def test_logged_in_upload_of_a_real_image_is_stored_and_returns_markdown(
    learner_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, "PNG")
    image = SimpleUploadedFile("plot.png", buffer.getvalue(), content_type="image/png")
    response = learner_client.post("/journal/upload/", {"image": image})
    assert response.status_code == 200
    code = response.json()["image_code"]
    assert code.startswith("![](/media/uploads/") and code.endswith(".png)")
    assert "plot" not in code
    assert len(list(tmp_path.rglob("*.png"))) == 1


def png_upload(name="plot.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_uploads_beyond_the_hourly_limit_are_refused_and_a_refused_one_does_not_count(
    learner_client, other_learner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOADS_PER_HOUR = 3
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    assert learner_client.post("/journal/upload/", {"image": fake}).status_code == 400
    for n in range(3):
        response = learner_client.post("/journal/upload/", {"image": png_upload(f"{n}.png")})
        assert response.status_code == 200
    refused = learner_client.post("/journal/upload/", {"image": png_upload()})
    assert refused.status_code == 429
    assert "3 images in the last hour" in refused.json()["error"]
    assert len(list(tmp_path.rglob("*.png"))) == 3
    # The limit is each learner's own.
    other = Client()
    other.force_login(other_learner)
    assert other.post("/journal/upload/", {"image": png_upload()}).status_code == 200
    # An hour on, the first uploads no longer count.
    Upload.objects.update(created_at=timezone.now() - timezone.timedelta(hours=2))
    assert learner_client.post("/journal/upload/", {"image": png_upload()}).status_code == 200


def test_refused_upload_says_why_and_stores_nothing(learner_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = learner_client.post("/journal/upload/", {"image": fake})
    assert response.status_code == 400
    assert "not a PNG, JPEG or WebP image" in response.json()["error"]
    assert list(tmp_path.rglob("*")) == []


def test_a_learners_time_zone_does_not_leak_into_a_visitors_page(client, learner_client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(time_zone="Pacific/Kiritimati")
    post = Post.objects.create(
        author=roadmap.owner,
        roadmap=roadmap,
        title="T",
        slug="t",
        status="published",
        published_at=datetime(2025, 1, 1, 12, tzinfo=UTC),
    )
    assert "1 January 2025" in client.get(post.get_absolute_url()).content.decode()
    learner_client.get("/journal/new/")
    assert "1 January 2025" in client.get(post.get_absolute_url()).content.decode()


def test_a_refused_reflection_keeps_the_milestone_row_and_the_form(learner_client, milestone):
    url = reverse("journal:reflect", args=[milestone.roadmap.slug, milestone.slug])
    response = learner_client.post(
        url, {"learnt": "", "hard": "keep me", "action": "publish"}, **HTMX
    )
    assert response.status_code == 400
    html = response.content.decode().strip()
    assert html.startswith('<li id="m-svd-pca"')
    assert 'class="status-badge" role="button"' in html and "keep me" in html


def test_writing_about_a_milestone_of_a_second_roadmap_picks_that_roadmap(
    learner_client, learner, roadmap, small_spec
):
    second = load_curriculum(small_spec, owner=learner, slug="second").roadmap
    milestone = second.milestones.get(key="svd-pca")
    html = learner_client.get(
        "/journal/new/?kind=reflection&roadmap=second&milestone=svd-pca"
    ).content.decode()
    assert f'<option value="{second.pk}" selected>' in html
    assert f'<option value="{milestone.pk}" selected>' in html
    first_copy = roadmap.milestones.get(key="svd-pca")
    assert f'<option value="{first_copy.pk}" selected>' not in html


def test_a_quarter_far_out_of_range_starts_a_plain_quarterly_post(learner_client, roadmap):
    response = learner_client.get("/journal/new/?kind=quarterly&roadmap=test-path&quarter=0000-Q1")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="quarterly" selected>' in html
    assert "The numbers" not in html


def test_an_expired_session_in_the_reflection_form_sends_the_page_to_log_in(client, milestone):
    url = reverse("journal:reflect", args=[milestone.roadmap.slug, milestone.slug])
    response = client.post(url, {"learnt": "kept?", "action": "publish"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert response.content == b""
    assert not Post.objects.exists()


def test_the_same_post_sent_twice_at_once_gets_a_form_error_not_a_server_error(
    learner_client, roadmap, make_post, monkeypatch
):
    # The second request passed the address check before the first one saved.
    monkeypatch.setattr(PostForm, "clean_slug", lambda form: form.cleaned_data["slug"])
    monkeypatch.setattr(PostForm, "validate_unique", lambda form: None)
    make_post(slug="week-1", title="Week 1")
    response = learner_client.post(
        "/journal/new/",
        {
            "roadmap": roadmap.pk,
            "title": "Week 1",
            "slug": "week-1",
            "kind": "weekly",
            "body": "text",
            "action": "draft",
        },
    )
    assert response.status_code == 400
    assert "was just taken" in response.content.decode()
    assert Post.objects.filter(slug="week-1").count() == 1


def test_two_reflections_at_once_each_get_an_address(milestone, monkeypatch):
    first = reflection_create(milestone=milestone, body="one", publish=False)
    # The second found the same address free, as a request racing the first would.
    monkeypatch.setattr(
        type(Post.objects.all()), "free_slug", lambda self, text, max_length=100: first.slug
    )
    with pytest.raises(IntegrityError):
        reflection_create(milestone=milestone, body="two", publish=False)
    monkeypatch.undo()
    taken = iter([first.slug])
    real = type(Post.objects.all()).free_slug
    monkeypatch.setattr(
        type(Post.objects.all()),
        "free_slug",
        lambda self, text, max_length=100: (
            next(taken, None) or real(self, text, max_length=max_length)
        ),
    )
    second = reflection_create(milestone=milestone, body="two", publish=False)
    assert second.slug != first.slug
    assert Post.objects.filter(kind=Post.Kind.REFLECTION).count() == 2


def test_an_address_made_from_the_title_is_the_first_free_one_whoever_has_the_others(
    learner_client, roadmap, other_learner, small_spec
):
    graces = load_curriculum(small_spec, owner=other_learner, slug="graces").roadmap
    Post.objects.create(author=other_learner, roadmap=graces, title="Week 1", slug="week-1")
    response = learner_client.post(
        "/journal/new/", form_data(roadmap, title="Week 1", slug="", action="draft")
    )
    assert response.status_code == 302
    assert Post.objects.get(author=roadmap.owner).slug == "week-1-2"
    # A title that makes a site address gets another.
    learner_client.post("/journal/new/", form_data(roadmap, title="New", slug="", action="draft"))
    assert Post.objects.filter(author=roadmap.owner, title="New").get().slug != "new"


def test_the_author_deletes_a_post_after_being_asked(learner_client, make_post, roadmap):
    post = make_post(title="A mistake", milestones=[roadmap.milestones.get(key="svd-pca")])
    page = learner_client.get(post.get_absolute_url()).content.decode()
    assert f'href="/journal/{post.slug}/delete/">Delete</a>' in page
    ask = learner_client.get(f"/journal/{post.slug}/delete/")
    assert "Delete “A mistake”?" in ask.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()  # asking deletes nothing
    response = learner_client.post(f"/journal/{post.slug}/delete/", follow=True)
    assert "Deleted “A mistake”." in response.content.decode()
    assert not Post.objects.filter(pk=post.pk).exists()
    assert roadmap.milestones.get(key="svd-pca")  # the milestone stays


def test_another_learner_or_a_visitor_cannot_delete_a_post(client, other_learner, make_post):
    post = make_post()
    assert client.post(f"/journal/{post.slug}/delete/").status_code == 302
    other = Client()
    other.force_login(other_learner)
    assert other.post(f"/journal/{post.slug}/delete/").status_code == 404
    assert other.get(f"/journal/{post.slug}/delete/").status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()


def test_every_list_of_posts_shows_each_card_as_text_on_its_own_days(
    client, learner, make_post, roadmap
):
    """The cards of the journal, the home page, a profile, a topic, a milestone and the
    dashboard: markup in a title, an excerpt or a name is shown, never run; the date is the
    day where the page is; a private profile's name is not a link."""
    Profile.objects.create(user=learner, display_name="<b>Ada</b>")
    roadmap.time_zone = "Asia/Tokyo"
    roadmap.save()
    milestone = roadmap.milestones.get(key="svd-pca")
    post = make_post(
        title="<script>alert(1)</script> on SVD",
        published_at=datetime(2026, 3, 2, 20, 30, tzinfo=UTC),  # 3 March in Tokyo
        milestones=[milestone],
        topics=[milestone.topic],
    )
    # Straight into the table: a card escapes whatever an excerpt holds.
    Post.objects.filter(pk=post.pk).update(excerpt="An <img src=x onerror=alert(2)> excerpt")
    title = "&lt;script&gt;alert(1)&lt;/script&gt; on SVD"
    excerpt = "<p>An &lt;img src=x onerror=alert(2)&gt; excerpt</p>"
    pages = {
        "/journal/": "<h2>",
        "/": "<h3>",
        f"/learners/{learner.username}/": "<h3>",
        milestone.topic.get_absolute_url(): "<h3>",
        milestone.get_absolute_url(): "<h3>",
        f"/roadmaps/{roadmap.slug}/dashboard/": "<h3>",
    }
    for path, heading in pages.items():
        html = text_of(client.get(path))
        assert f'<li class="post-card"> {heading}<a href="/journal/' in html, path
        assert f"{title}</a>" in html and excerpt in html, path
        assert "<script>alert" not in html and "<img src=x" not in html, path
    site_wide = text_of(client.get("/journal/"))
    assert '<time datetime="2026-03-02T20:30:00+00:00">2 Mar 2026</time>' in site_wide
    assert "1 min read · by <a" in site_wide and "&lt;b&gt;Ada&lt;/b&gt;</a>" in site_wide
    on_the_roadmap = text_of(client.get(milestone.get_absolute_url()))
    assert '<time datetime="2026-03-03T05:30:00+09:00">3 Mar 2026</time>' in on_the_roadmap

    learner.profile.is_private = True
    learner.profile.save()
    assert "1 min read · by &lt;b&gt;Ada&lt;/b&gt;</p>" in text_of(client.get("/journal/"))
