import pytest
from django.utils import timezone

from journal.models import Post
from roadmap.models import Roadmap

pytestmark = pytest.mark.django_db


def test_saving_renders_markdown_and_derives_excerpt_and_reading_time(make_post):
    post = make_post(body="# Title\n\nHello **world** " + "word " * 600)
    assert "<strong>world</strong>" in post.body_html
    assert post.excerpt.startswith("Title. Hello world word")
    assert post.reading_minutes == 3


def test_excerpt_of_a_weekly_log_leaves_out_the_prompts_not_written_yet(make_post):
    empty = make_post(body="## Wins\n\n## Struggles\n\n## Confusion\n\n## Breakthroughs\n")
    assert empty.excerpt == ""
    begun = make_post(
        body="## Wins\n\nBackprop clicked\n\n## Struggles\n\n## Confusion\n\n"
        "Why does the bias need a gradient?\n\n## Breakthroughs\n"
    )
    assert begun.excerpt == "Wins. Backprop clicked. Confusion. Why does the bias need a gradient?"


def test_summary_is_the_excerpt_when_given(make_post):
    assert make_post(summary="In short.").excerpt == "In short."


def test_published_leaves_out_drafts_scheduled_and_private(make_post, roadmap, other_learner):
    public = make_post()
    make_post(status=Post.Status.DRAFT)
    make_post(published_at=timezone.now() + timezone.timedelta(days=1))
    secret = Roadmap.objects.create(
        owner=other_learner, title="S", slug="s", visibility=Roadmap.Visibility.PRIVATE
    )
    make_post(roadmap=secret, author=other_learner)
    assert list(Post.objects.published()) == [public]


def test_unlisted_roadmap_posts_are_published_but_not_listed(make_post, roadmap):
    post = make_post()
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=Roadmap.Visibility.UNLISTED)
    assert list(Post.objects.published()) == [post]
    assert list(Post.objects.listed()) == []


def test_scheduled_post_appears_by_itself_once_its_time_has_come(make_post):
    soon = timezone.now() + timezone.timedelta(seconds=2)
    post = make_post(published_at=soon)
    assert post.is_scheduled and not Post.objects.published().exists()
    Post.objects.filter(pk=post.pk).update(
        published_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert list(Post.objects.published()) == [post]


def test_author_sees_own_drafts_others_do_not(make_post, learner, other_learner):
    draft = make_post(status=Post.Status.DRAFT)
    assert draft in Post.objects.visible_to(learner)
    assert draft not in Post.objects.visible_to(other_learner)
