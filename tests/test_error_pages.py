"""Error pages in the site's style that say what to do, leak nothing, and name the request."""

import logging

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as site_urls

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("secret-detail-42 in the database password")


def suspicious_view(request):
    raise SuspiciousOperation("a forged header with secret-detail-43")


urlpatterns = [path("broken/", broken_view), path("suspicious/", suspicious_view), *site_urls]
handler500 = "config.views.server_error"


@pytest.mark.urls("tests.test_error_pages")
def test_a_server_error_shows_a_page_with_the_request_id_the_log_carries(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/broken/", HTTP_X_REQUEST_ID="not ok!")
    assert response.status_code == 500
    html = response.content.decode()
    request_id = response["X-Request-ID"]
    assert len(request_id) == 16 and request_id in html
    assert "Something went wrong on our side" in html
    assert "secret-detail-42" not in html and "Traceback" not in html
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.request.id == request_id
    assert record.request.path == "/broken/"
    # The next request is served as usual.
    assert client.get("/healthz").status_code == 200


def test_a_request_id_from_the_proxy_is_kept_when_it_looks_like_one(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="edge-1234abcd")
    assert response["X-Request-ID"] == "edge-1234abcd"


def test_a_missing_page_says_what_to_do_and_is_not_indexed(client):
    response = client.get("/roadmaps/no-such-roadmap/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is nothing at this address, or it is not public" in html
    assert '<meta name="robots" content="noindex">' in html


def test_a_form_without_its_token_gets_the_expired_form_page(learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post("/journal/new/", {"title": "x"})
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()
    assert "nothing was saved" in response.content.decode()


@pytest.mark.urls("tests.test_error_pages")
def test_a_bad_request_gets_the_sites_page_and_no_detail(client):
    response = client.get("/suspicious/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "That request could not be understood" in html
    assert "secret-detail-43" not in html
