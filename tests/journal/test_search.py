import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from journal.models import Post
from journal.search import MAX_QUERY_LENGTH, search
from journal.search_index import install_index
from roadmap.curriculum import load_curriculum
from roadmap.models import Milestone, Roadmap, Stage
from tests.factories import bulk_posts

pytestmark = pytest.mark.django_db
VISITOR = AnonymousUser()
FRAGMENT = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "search-results"}


def titles(found) -> list[str]:
    """The results' titles as a reader sees them: the highlighting's tags taken out."""
    return [re.sub(r"</?mark>", "", str(result.title)) for result in found.results]


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# Ranking and highlighting -------------------------------------------------------------------


def test_a_title_match_ranks_above_a_match_in_the_text(make_post):
    make_post(title="Week 2", body="Today the quaternion finally made sense.")
    make_post(title="Quaternion rotations", body="Notes.")
    found = search("quaternion", VISITOR)
    assert titles(found) == ["Quaternion rotations", "Week 2"]
    assert found.results[0].rank > found.results[1].rank
    assert found.total == 2


def test_every_word_must_match_and_a_word_is_found_by_its_start(make_post):
    make_post(title="Transformers from scratch", body="Attention, heads and layers.")
    make_post(title="Transformers in production", body="Latency budgets.")
    assert titles(search("transf attention", VISITOR)) == ["Transformers from scratch"]


def test_matched_words_are_marked_and_the_rest_is_escaped(client, make_post):
    make_post(
        title='<script>alert("title")</script> Attention notes',
        body='<img src=x onerror="alert(1)"> Attention is what the decoder uses.',
    )
    html = client.get("/search/?q=attention").content.decode()
    assert "<mark>Attention</mark> notes" in html
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;" in html
    assert "<mark>Attention</mark> is what the decoder uses" in html
    assert "<script>alert" not in html and "<img src=x" not in html


def test_markup_in_the_query_is_shown_as_text(client, make_post):
    make_post(title="Alert fatigue", body="Too many pages.")
    response = client.get("/search/", {"q": '<script>alert("q")</script>'})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt;" in html


def test_highlighting_stays_balanced_when_the_text_holds_the_markers(make_post):
    make_post(title="Odd \x02 bytes \x03 in a ranking title", body="\x03 ranking \x02")
    result = search("ranking", VISITOR).results[0]
    for html in (str(result.title), str(result.snippet)):
        assert html.count("<mark>") == html.count("</mark>") >= 1
        assert "\x02" not in html and "\x03" not in html


# Places and addresses -----------------------------------------------------------------------


def test_a_milestone_shows_its_roadmap_stage_and_topic(client, roadmap):
    html = text_of(client.get("/search/?q=pca"))
    milestone = roadmap.milestones.get(key="svd-pca")
    assert f'<a href="{milestone.get_absolute_url()}">Derive and code <mark>PCA</mark>' in html
    place = re.search(r'<ol class="place"[^>]*>(.*?)</ol>', html).group(1)
    assert re.findall(r">([^<>]+)</a>", place) == [
        "A test path",
        "Basics",
        "Linear algebra",
    ]
    assert f'href="{roadmap.get_absolute_url()}#stage-basics"' in place
    assert 'href="/roadmaps/test-path/topics/linear-algebra/"' in place


def test_stages_and_topics_are_found_with_their_addresses(roadmap):
    stage = search("writing", VISITOR).results
    assert [(r.kind, r.url) for r in stage if r.kind == "stage"] == [
        ("stage", f"{roadmap.get_absolute_url()}#stage-writing")
    ]
    topic = search("neural networks", VISITOR).results[0]
    assert (topic.kind, topic.url) == ("topic", "/roadmaps/test-path/topics/neural-nets/")
    assert [crumb.title for crumb in topic.place] == ["A test path", "Models"]


def test_a_post_is_found_by_its_tied_topic_below_one_that_names_it(make_post, roadmap):
    topic = roadmap.topics.get(key="linear-algebra")
    make_post(title="Week 4", body="Eigen things.", topics=[topic])
    make_post(title="Algebra, again", body="Groups and rings.")
    found = [r for r in search("algebra", VISITOR).results if r.kind == "post"]
    assert [re.sub(r"</?mark>", "", str(r.title)) for r in found] == ["Algebra, again", "Week 4"]
    assert [crumb.title for crumb in found[1].place] == ["A test path", "Basics", "Linear algebra"]


def test_a_post_is_found_by_its_kind(make_post):
    make_post(title="Bengio 2003", body="Perplexity 120.", kind=Post.Kind.REPRODUCTION)
    make_post(title="Bengio, briefly", body="A TIL.", kind=Post.Kind.TIL)
    found = search("paper reproduction", VISITOR)
    assert titles(found) == ["Bengio 2003"]
    assert found.results[0].kind_label == "Paper reproduction"


# Who finds what -----------------------------------------------------------------------------


def who_finds(word, learner, other_learner) -> dict[str, list[str]]:
    return {
        who: sorted(titles(search(word, user)))
        for who, user in [("visitor", VISITOR), ("owner", learner), ("other", other_learner)]
    }


def test_drafts_and_scheduled_posts_are_found_by_their_author_alone(
    make_post, learner, other_learner
):
    make_post(title="Zebra draft", status=Post.Status.DRAFT)
    make_post(title="Zebra later", published_at=timezone.now() + timezone.timedelta(days=1))
    make_post(title="Zebra out")
    assert who_finds("zebra", learner, other_learner) == {
        "visitor": ["Zebra out"],
        "owner": ["Zebra draft", "Zebra later", "Zebra out"],
        "other": ["Zebra out"],
    }
    assert search("zebra draft", learner).results[0].note == "Draft"
    assert search("zebra later", learner).results[0].note == "Scheduled"


@pytest.mark.parametrize("visibility", [Roadmap.Visibility.PRIVATE, Roadmap.Visibility.UNLISTED])
def test_a_roadmap_that_is_not_public_is_searched_by_its_owner_alone(
    visibility, make_post, roadmap, learner, other_learner
):
    make_post(title="Eigen diary", body="Published, on this roadmap.")
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=visibility)
    assert who_finds("eigen", learner, other_learner) == {
        "visitor": [],
        "owner": ["Eigen diary", "Write a post explaining eigenvectors"],
        "other": [],
    }


def test_a_private_note_is_never_searched(milestone, learner):
    milestone.private_note = "Stuck at the kestrel derivation."
    milestone.save()
    assert titles(search("kestrel", VISITOR)) == titles(search("kestrel", learner)) == []


def test_another_learners_drafts_never_show_through_a_tied_topic(
    client, make_post, roadmap, other_learner
):
    topic = roadmap.topics.get(key="linear-algebra")
    make_post(title="Secret draft", status=Post.Status.DRAFT, topics=[topic])
    client.force_login(other_learner)
    assert "Secret draft" not in client.get("/search/?q=linear").content.decode()
    assert "Secret draft" not in titles(search("algebra", VISITOR))


# The index follows every write --------------------------------------------------------------


def test_the_index_follows_a_post_written_edited_and_deleted(make_post):
    post = make_post(title="Dropout", body="Regularisation by noise.")
    assert titles(search("dropout", VISITOR)) == ["Dropout"]
    post.title, post.body = "Weight decay", "Regularisation by shrinking."
    post.save()
    assert titles(search("dropout", VISITOR)) == []
    assert titles(search("shrinking", VISITOR)) == ["Weight decay"]
    post.delete()
    assert titles(search("regularisation", VISITOR)) == []


def test_the_index_follows_bulk_writes_to_the_roadmap(roadmap):
    stage = roadmap.stages.get(key="basics")
    Stage.objects.filter(pk=stage.pk).update(title="Foundations")
    milestone = roadmap.milestones.get(key="svd-pca")
    Milestone.objects.bulk_create(
        [Milestone(roadmap=roadmap, topic=milestone.topic, key="qr", slug="qr", title="QR by hand")]
    )
    milestone.description = "Compare with the Householder version."
    milestone.save()
    assert titles(search("foundations", VISITOR)) == ["Foundations"]
    assert titles(search("householder", VISITOR)) == ["Derive and code PCA via SVD"]
    assert titles(search("qr", VISITOR)) == ["QR by hand"]
    roadmap.topics.filter(key="neural-nets").delete()
    assert titles(search("micrograd", VISITOR)) == []


def test_a_status_change_keeps_the_milestone_in_the_index(milestone):
    milestone.status = "done"
    milestone.save()
    assert titles(search("pca", VISITOR)) == ["Derive and code PCA via SVD"]


def test_a_loaded_curriculum_is_searchable_at_once(small_spec, other_learner):
    load_curriculum(small_spec, owner=other_learner, slug="graces-path", title="Grace's path")
    found = search("eigenvectors", VISITOR)
    assert titles(found) == ["Write a post explaining eigenvectors"]
    assert found.results[0].url == "/roadmaps/graces-path/milestones/eigen-post/"


# Hostile queries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ['"', "*", "NEAR(", "AND", "OR NOT", "title:pca", 'pca"', "(", "^", "-", "'", "\\", "%", "_"],
)
def test_query_syntax_is_read_as_words_never_as_an_error(query, client, roadmap):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "search-results" in response.content.decode()


def test_a_query_of_punctuation_alone_asks_for_a_word(client):
    html = text_of(client.get("/search/", {"q": '" * ('}))
    assert "Type a word to search for." in html


def test_a_query_too_long_is_refused_with_the_reason(client, roadmap):
    response = client.get("/search/", {"q": "pca " * 250})
    assert response.status_code == 400
    assert f"use at most {MAX_QUERY_LENGTH}" in text_of(response)
    assert "<mark>" not in response.content.decode()


def test_a_nul_character_is_refused_before_searching(client):
    assert client.get("/search/", {"q": "pca\x00"}).status_code == 400
    assert titles(search("svd\x00pca", VISITOR)) == []


def test_many_words_are_cut_to_the_first_twelve_and_it_says_so(roadmap):
    found = search("pca " * 20, VISITOR)
    assert titles(found) == ["Derive and code PCA via SVD"]
    assert "first 12 words" in found.message


# The page -----------------------------------------------------------------------------------


def test_every_page_has_the_search_box(client, roadmap):
    for path in ("/", "/journal/", roadmap.get_absolute_url()):
        html = client.get(path).content.decode()
        assert '<form class="site-search" role="search" method="get" action="/search/">' in html
        assert '<label for="site-search-q"' in html and 'id="site-search-q" name="q"' in html


def test_search_page_counts_results_and_is_not_indexed(client, roadmap):
    html = text_of(client.get("/search/?q=linear"))
    assert '<meta name="robots" content="noindex">' in html
    assert 'role="status">3 results for “linear”.</p>' in html
    assert 'value="linear"' in html and 'hx-sync="this:replace"' in html


def test_search_page_without_a_query_says_what_it_searches(client):
    html = text_of(client.get("/search/"))
    assert "search the journal's posts and the roadmaps' stages, topics and milestones" in html


def test_search_page_says_when_nothing_is_found(client, roadmap):
    html = text_of(client.get("/search/?q=xylophone"))
    assert "Nothing found for “xylophone”." in html


def test_htmx_gets_the_results_alone_with_the_count_for_the_live_region(client, roadmap):
    response = client.get("/search/?q=pca", **FRAGMENT)
    html = text_of(response)
    assert response.template_name == "journal/search.html#search-results"
    assert html.lstrip().startswith('<div id="search-results"')
    assert '<p id="search-count" hx-swap-oob="innerHTML">1 result for “pca”.</p>' in html
    assert "<html" not in html
    assert {"HX-Request", "HX-Target"} <= {v.strip() for v in response["Vary"].split(",")}


@pytest.mark.parametrize("size", [10, 1000])
def test_search_queries_do_not_grow_with_the_journal(
    size, learner_client, roadmap, django_assert_num_queries
):
    bulk_posts(roadmap, size)
    # The session and the user, the ranking, the highlights, the posts and their topics.
    with django_assert_num_queries(6):
        response = learner_client.get("/search/?q=bulk")
    html = text_of(response)
    shown = min(size, 30)
    assert html.count('class="search-result"') == shown
    assert f"{size} results for “bulk”" in html


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds a table to alter it")
@pytest.mark.django_db(transaction=True)
def test_installing_the_index_again_brings_back_triggers_a_table_rebuild_dropped(roadmap):
    old = Milestone._meta.get_field("title")
    new = Milestone._meta.get_field("title").clone()
    new.set_attributes_from_name("title")
    new.max_length = 301
    with connection.schema_editor() as editor:
        editor.alter_field(Milestone, old, new)
    milestone = roadmap.milestones.get(key="svd-pca")
    milestone.title = "Principal components, derived"
    milestone.save()
    assert titles(search("principal", VISITOR)) == []
    with connection.schema_editor() as editor:
        install_index(None, editor)
        editor.alter_field(Milestone, new, old)
        install_index(None, editor)
    milestone.title = "Principal components, by hand"
    milestone.save()
    assert titles(search("principal", VISITOR)) == ["Principal components, by hand"]
