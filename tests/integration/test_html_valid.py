"""Every kind of page is valid HTML by html-validate's standard rules (.htmlvalidate.json).

`make test` installs html-validate from package.json; without Node.js the check is skipped.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from learners.models import Invitation
from roadmap.models import Status
from roadmap.services import milestone_set_status

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = ROOT / "node_modules" / ".bin" / "html-validate"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("node") is None, reason="Node.js is not installed: html-validate needs it."
    ),
]

RICH_BODY = """[TOC]

## Results

| Model | Params | Accuracy |
|:------|-------:|:--------:|
| MLP   | 10k    | 91.2 %   |
| CNN   | 60k    | 98.9 %   |

```python
import numpy as np
u, s, vt = np.linalg.svd(x, full_matrices=False)
```

The loss is $L = \\frac{1}{n} \\sum_i (y_i - \\hat{y}_i)^2$.[^1]

$$\\hat{\\beta} = (X^\\top X)^{-1} X^\\top y$$

- [x] Reproduce the table
- [ ] Write it up

[^1]: Mean squared error.
"""


@pytest.fixture
def pages(client, learner, learner_client, roadmap, milestone, make_post, other_learner):
    """Each kind of page the site serves, as (name, HTML) pairs."""
    milestone_set_status(milestone=milestone, status=Status.DONE)
    post = make_post(
        title="Reproducing a table",
        body=RICH_BODY,
        milestones=[milestone],
        topics=[milestone.topic],
    )
    draft = make_post(title="A draft", status="draft")
    learner.is_staff = True
    learner.save()
    learner.user_permissions.add(Permission.objects.get(codename="add_invitation"))
    invitation = Invitation.objects.create(created_by=learner, note="Grace")
    today = timezone.localdate()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    road = roadmap.get_absolute_url()
    visitor_pages = {
        "home": "/",
        "roadmap-visitor": road,
        "topic": milestone.topic.get_absolute_url(),
        "milestone-visitor": milestone.get_absolute_url(),
        "dashboard": f"{road}dashboard/",
        "quarter-review": f"{road}review/{quarter}/",
        "journal": "/journal/",
        "post": post.get_absolute_url(),
        "login": "/accounts/login/",
        "sign-up": invitation.get_absolute_url(),
        "password-reset": "/accounts/password/reset/",
        "profile-visitor": "/learners/ada/",
        "not-found": "/roadmaps/no-such-roadmap/",
    }
    owner_pages = {
        "roadmap-owner": road,
        "milestone-owner": milestone.get_absolute_url(),
        "post-new": "/journal/new/",
        "post-new-weekly": "/journal/new/?kind=weekly",
        "post-edit": f"/journal/{post.slug}/edit/",
        "post-draft": draft.get_absolute_url(),
        "post-delete": f"/journal/{post.slug}/delete/",
        "reflection": f"/journal/reflect/{roadmap.slug}/{milestone.slug}/",
        "roadmap-new": "/roadmaps/new/",
        "roadmap-settings": f"{road}settings/",
        "roadmap-delete": f"{road}delete/",
        "account": "/accounts/",
        "profile-edit": "/accounts/profile/",
        "password-change": "/accounts/password/",
        "invitations": "/invitations/",
    }
    found = {}
    for visitor, urls in ((client, visitor_pages), (learner_client, owner_pages)):
        for name, url in urls.items():
            response = visitor.get(url)
            expected = 404 if name == "not-found" else 200
            assert response.status_code == expected, (name, url, response.status_code)
            found[name] = response.content.decode()
    refused = learner_client.post(
        "/journal/new/",
        {"roadmap": roadmap.pk, "title": "", "kind": "til", "body": "", "action": "schedule"},
    )
    assert refused.status_code == 400
    found["post-form-errors"] = refused.content.decode()
    expired = Client(enforce_csrf_checks=True)
    expired.force_login(other_learner)
    found["form-expired"] = expired.post("/journal/new/", {"title": "x"}).content.decode()
    return found


def test_every_kind_of_page_is_valid_html(pages, tmp_path):
    if not VALIDATOR.exists():
        pytest.fail("html-validate is not installed: run `make test`, or `npm ci` at the top.")
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html)
        files.append(str(path))
    # To a file: Node may exit before a long answer on a pipe is read to its end.
    report_file = tmp_path / "report.json"
    result = subprocess.run(
        [
            str(VALIDATOR),
            "--config",
            str(ROOT / ".htmlvalidate.json"),
            "--formatter",
            f"json={report_file}",
            *files,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    problems = [
        f"{Path(report['filePath']).stem}:{message['line']}: {message['message']} "
        f"({message['ruleId']}) in {message.get('selector')}"
        for report in json.loads(report_file.read_text())
        for message in report["messages"]
    ]
    assert problems == [], "\n".join(problems)
    assert result.returncode == 0, result.stderr
