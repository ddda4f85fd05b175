"""A study group in the browser: the owner invites, a second learner joins and learns."""

import re

import pytest
from playwright.sync_api import Page, expect

from learners.models import Invitation
from learners.services import site_owners
from tests.e2e.conftest import choose_status, log_in, serious_violations, wait_for_htmx

GRACE_PASSWORD = "grace-studies-ml-2026"
GRACE_NEW_PASSWORD = "grace-changed-it-2027"


@pytest.fixture
def group_site(site, curricula):
    """The live site, its learner ada the site's owner, the test curriculum to start from."""
    base, roadmap = site
    roadmap.owner.is_staff = True
    roadmap.owner.save()
    roadmap.owner.groups.add(site_owners())
    return base, roadmap


def test_a_second_learner_joins_by_invitation_learns_writes_and_changes_the_password(
    page: Page, browser, group_site, console_errors
):
    base, _ = group_site

    # The owner makes an invitation and copies its link.
    log_in(page, base, "/invitations/")
    page.get_by_label("Note").fill("Grace, from the study group")
    page.get_by_role("button", name="Make the link").click()
    expect(page.locator(".messages")).to_contain_text("Send this link")
    link = re.search(r"https?://\S+/join/\S+/", page.locator(".messages").inner_text())[0]
    assert Invitation.objects.get().note == "Grace, from the study group"

    # Grace, in a browser of her own, joins with it.
    grace = browser.new_context().new_page()
    grace.goto(link)
    grace.get_by_label("Username").fill("grace")
    grace.get_by_label("Email address").fill("grace@example.org")
    grace.get_by_label("Password", exact=True).fill(GRACE_PASSWORD)
    grace.get_by_label("Password confirmation").fill(GRACE_PASSWORD)
    grace.get_by_role("button", name="Make my account").click()
    grace.wait_for_url(f"{base}/roadmaps/new/")

    # She starts her roadmap from the same curriculum: the suggested title and address.
    grace.get_by_label("A test path").check()
    expect(grace.get_by_label("Address")).to_have_value("grace-test-path")
    grace.get_by_role("button", name="Start the roadmap").click()
    grace.wait_for_url(f"{base}/roadmaps/grace-test-path/")
    choose_status(grace.locator("#m-install-python"), "Done")
    expect(grace.locator("#progress-overall")).to_contain_text("1 done")
    wait_for_htmx(grace)

    # She publishes a post.
    grace.goto(f"{base}/journal/new/")
    grace.get_by_label("Title").fill("Week 1 with the group")
    grace.get_by_label("Text (Markdown)").fill("Set up Python; **SVD** next.")
    grace.get_by_role("button", name="Publish now").click()
    grace.wait_for_url(f"{base}/journal/week-1-with-the-group/")

    # Anyone now sees both learners on the home page and the curriculum's page.
    visitor = browser.new_context().new_page()
    visitor.goto(f"{base}/")
    expect(visitor.get_by_role("heading", name="Learners (2)")).to_be_visible()
    expect(visitor.locator("main")).to_contain_text("Week 1 with the group")
    visitor.goto(f"{base}/curricula/test-path/")
    expect(visitor.get_by_role("heading", name="Who follows it (2)")).to_be_visible()
    expect(visitor.locator(".cohort-table")).to_contain_text("grace")
    expect(visitor.locator(".cohort-table")).to_contain_text("ada")

    # Grace changes her password, and logs in with the new one.
    grace.goto(f"{base}/accounts/password/")
    grace.get_by_label("Old password").fill(GRACE_PASSWORD)
    grace.get_by_label("New password", exact=True).fill(GRACE_NEW_PASSWORD)
    grace.get_by_label("New password confirmation").fill(GRACE_NEW_PASSWORD)
    grace.get_by_role("button", name="Change password").click()
    expect(grace.get_by_role("heading", name="Password changed")).to_be_visible()
    fresh = browser.new_context().new_page()
    fresh.goto(f"{base}/accounts/login/")
    fresh.get_by_label("Username").fill("grace")
    fresh.get_by_label("Password").fill(GRACE_NEW_PASSWORD)
    fresh.get_by_role("button", name="Log in").click()
    expect(fresh.locator(".whoami")).to_contain_text("grace")
    for context_page in (grace, visitor, fresh):
        context_page.context.close()
    assert console_errors == []


def test_study_group_pages_have_no_serious_accessibility_violations(page: Page, group_site):
    base, roadmap = group_site
    invitation = Invitation.objects.create(created_by=roadmap.owner, note="A friend")
    page.goto(f"{base}{invitation.get_absolute_url()}")
    assert serious_violations(page) == [], "join"
    page.goto(f"{base}/join/nonsense-token/")
    assert serious_violations(page) == [], "join refused"
    page.goto(f"{base}/accounts/password/reset/")
    assert serious_violations(page) == [], "password reset"
    page.goto(f"{base}/curricula/test-path/")
    assert serious_violations(page) == [], "cohort"
    page.goto(f"{base}/learners/ada/")
    assert serious_violations(page) == [], "profile"
    log_in(page, base, "/invitations/")
    for path in ["/invitations/", "/accounts/", "/accounts/profile/", "/accounts/password/"]:
        page.goto(f"{base}{path}")
        assert serious_violations(page) == [], path
    page.emulate_media(color_scheme="dark")
    for path in ["/invitations/", "/learners/ada/", "/curricula/test-path/"]:
        page.goto(f"{base}{path}")
        assert serious_violations(page) == [], f"{path} in dark mode"
