"""Data migrations of the journal, run on posts as an older version stored them."""

import importlib

import pytest
from django.apps import apps

from journal.models import Post

pytestmark = pytest.mark.django_db
rerender_posts = importlib.import_module("journal.migrations.0004_rerender_posts")


def test_posts_stored_before_are_rendered_again_with_aligned_tables_and_clean_excerpts(
    make_post,
):
    table = make_post(body="| Model | Loss |\n|:--|--:|\n| MLP | 0.12 |")
    log = make_post(body="## Wins\n\n## Struggles\n\nNumpy broadcasting.\n\n## Confusion\n")
    summarised = make_post(body="## Wins\n\n## Struggles\n", summary="A short week.")
    Post.objects.filter(pk=table.pk).update(
        body_html='<table><tr><td align="right">0.12</td></tr></table>', excerpt="Model Loss"
    )
    Post.objects.filter(pk=log.pk).update(excerpt="Wins Struggles Numpy broadcasting. Confusion")
    # Rendering again is not the author's edit: no post shows as updated because of it.
    updated_at = Post.objects.get(pk=table.pk).updated_at

    rerender_posts.rerender(apps, None)

    table.refresh_from_db()
    assert '<td class="align-right">0.12</td>' in table.body_html
    assert "align=" not in table.body_html
    assert table.updated_at == updated_at
    assert Post.objects.get(pk=log.pk).excerpt == "Struggles. Numpy broadcasting."
    summarised.refresh_from_db()
    assert summarised.excerpt == "A short week."
