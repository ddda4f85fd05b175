"""The signed-in learner is named by their display name on every page, at no extra query."""

from learners.models import Profile


def whoami(response) -> str:
    html = response.content.decode()
    start = html.index('class="whoami"')
    return html[start : html.index("</a>", start)]


def test_the_nav_names_the_learner_by_display_name(learner, learner_client):
    Profile.objects.create(user=learner, display_name="Ada L.")
    assert "Ada L." in whoami(learner_client.get("/journal/"))


def test_the_nav_falls_back_to_the_username_without_a_profile(learner, learner_client):
    assert learner.get_username() in whoami(learner_client.get("/journal/"))


def test_the_profile_comes_with_the_account(learner, learner_client, django_assert_num_queries):
    Profile.objects.create(user=learner, display_name="Ada L.")
    user = learner_client.get("/journal/").wsgi_request.user
    with django_assert_num_queries(0):
        assert user.profile.display_name == "Ada L."
