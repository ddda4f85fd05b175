import itertools
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from journal.models import Post
from learners.services import site_owners
from roadmap import kept
from roadmap.curriculum import load_curriculum, read_curriculum
from roadmap.models import Milestone, Roadmap

DATA = Path(__file__).parent / "data"
SMALL_CURRICULUM = DATA / "small-curriculum.yaml"
PASSWORD = "a-long-test-password-42"


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user(username="ada", password=PASSWORD)


@pytest.fixture
def other_learner(django_user_model):
    return django_user_model.objects.create_user(username="grace", password=PASSWORD)


@pytest.fixture
def learner_client(learner):
    client = Client()
    client.force_login(learner)
    return client


@pytest.fixture
def owner_client(learner):
    """The site's owner as the first run makes it: staff with the site owners' permissions."""
    learner.is_staff = True
    learner.save()
    learner.groups.add(site_owners())
    client = Client()
    client.force_login(learner)
    return client


@pytest.fixture
def other_client(other_learner):
    """A logged-in client for the second learner, grace."""
    client = Client()
    client.force_login(other_learner)
    return client


@pytest.fixture(scope="session")
def small_spec():
    """The test curriculum, read once: loading never changes a spec."""
    return read_curriculum(SMALL_CURRICULUM)


@pytest.fixture
def curricula(settings, tmp_path):
    """A curricula folder holding the test curriculum alone, as the site's folder."""
    folder = tmp_path / "curricula"
    folder.mkdir()
    (folder / "test-path.yaml").write_text(SMALL_CURRICULUM.read_text())
    settings.CURRICULA_DIR = folder
    return folder


@pytest.fixture
def roadmap(learner, small_spec) -> Roadmap:
    """The learner's public roadmap from the small test curriculum (10 milestones)."""
    return load_curriculum(small_spec, owner=learner).roadmap


@pytest.fixture
def milestone(roadmap) -> Milestone:
    return roadmap.milestones.get(key="svd-pca")


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: nothing cached by one test shows in another,
    nor any history a worker kept."""
    cache.clear()
    kept.forget()
    yield
    cache.clear()
    kept.forget()


_numbers = itertools.count(1)


@pytest.fixture
def make_post(roadmap):
    """Posts on the learner's roadmap; published an hour ago unless told otherwise."""

    def make(**fields):
        n = next(_numbers)
        fields.setdefault("title", f"Post {n}")
        fields.setdefault("slug", f"post-{n}")
        fields.setdefault("body", f"Some *words* for post {n}.")
        fields.setdefault("status", Post.Status.PUBLISHED)
        if fields["status"] == Post.Status.PUBLISHED:
            fields.setdefault("published_at", timezone.now() - timezone.timedelta(hours=1))
        milestones = fields.pop("milestones", [])
        topics = fields.pop("topics", [])
        post = Post.objects.create(
            author=fields.pop("author", roadmap.owner),
            roadmap=fields.pop("roadmap", roadmap),
            **fields,
        )
        post.milestones.set(milestones)
        post.topics.set(topics)
        return post

    return make
