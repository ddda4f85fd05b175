from pathlib import Path

import pytest
from django.test import Client

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
def small_spec():
    return read_curriculum(SMALL_CURRICULUM)


@pytest.fixture
def roadmap(learner, small_spec) -> Roadmap:
    """The learner's public roadmap from the small test curriculum (10 milestones)."""
    return load_curriculum(small_spec, owner=learner).roadmap


@pytest.fixture
def milestone(roadmap) -> Milestone:
    return roadmap.milestones.get(key="svd-pca")
