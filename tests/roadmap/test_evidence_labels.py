import pytest
from django.template import Context, Template

from roadmap.evidence import MAX_LABEL, evidence_label, is_web_address

SHA = "3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345"


@pytest.mark.parametrize(
    ("url", "label"),
    [
        (f"https://github.com/ada/ml-notes/commit/{SHA}", "ada/ml-notes@3f2c9a1"),
        (f"https://github.com/ada/ml-notes/commit/{SHA.upper()}#diff-1", "ada/ml-notes@3f2c9a1"),
        ("https://github.com/ada/ml-notes/pull/12", "ada/ml-notes#12"),
        ("https://github.com/ada/ml-notes/pull/12/files", "ada/ml-notes#12"),
        ("https://github.com/ada/ml-notes/issues/3", "ada/ml-notes#3"),
        (
            "https://github.com/ada/ml-notes/blob/main/notebooks/pca.ipynb",
            "ada/ml-notes: notebooks/pca.ipynb",
        ),
        ("https://github.com/ada/ml-notes/tree/main/gpt2", "ada/ml-notes: gpt2"),
        ("https://github.com/ada/ml-notes/tree/main", "ada/ml-notes"),
        ("https://github.com/ada/ml-notes", "ada/ml-notes"),
        ("https://www.github.com/ada/ml-notes.git", "ada/ml-notes"),
        ("http://github.com/ada/ml-notes/commit/abc1234", "ada/ml-notes@abc1234"),
        ("https://github.com/ada/ml-notes/blob/main/my%20notes.md", "ada/ml-notes: my notes.md"),
        ("https://gitlab.com/ada/ml-notes/-/commit/" + SHA, "ada/ml-notes@3f2c9a1"),
        ("https://gitlab.com/group/sub/ml/-/commit/" + SHA, "group/sub/ml@3f2c9a1"),
        ("https://gitlab.com/ada/ml-notes/-/merge_requests/7", "ada/ml-notes!7"),
        (
            "https://gitlab.com/ada/ml-notes/-/blob/main/repro/bleu.ipynb",
            "ada/ml-notes: repro/bleu.ipynb",
        ),
        ("https://gitlab.com/ada/ml-notes", "ada/ml-notes"),
        (
            "https://nbviewer.org/github/ada/ml-notes/blob/main/pca.ipynb",
            "ada/ml-notes: pca.ipynb",
        ),
        (
            "https://colab.research.google.com/github/ada/ml-notes/blob/main/clip.ipynb",
            "ada/ml-notes: clip.ipynb",
        ),
        ("https://wandb.ai/ada/gpt2/runs/abc", "wandb.ai/ada/gpt2/runs/abc"),
        ("https://example.org/", "example.org"),
    ],
)
def test_evidence_label_names_what_the_link_points_at(url, label):
    assert evidence_label(url) == label


@pytest.mark.parametrize(
    ("url", "label"),
    [
        # Look-alike hosts and addresses that only mention GitHub are someone else's server.
        (f"https://github.com.evil.example/ada/x/commit/{SHA}", "github.com.evil.example/ada/x/"),
        (f"https://evilgithub.com/ada/x/commit/{SHA}", "evilgithub.com/ada/x/commit/"),
        (f"https://github.com@evil.example/ada/x/commit/{SHA}", "evil.example/ada/x/commit/"),
        (f"https://github.com:8443/ada/x/commit/{SHA}", "github.com:8443/ada/x/commit/"),
        (f"https://evil.example/github.com/ada/x/commit/{SHA}", "evil.example/github.com/"),
    ],
)
def test_evidence_label_does_not_trust_look_alike_hosts(url, label):
    assert evidence_label(url).startswith(label)
    assert "@3f2c9a1" not in evidence_label(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//github.com/ada/x",
        "https://",
        "https://[::1",
    ],
)
def test_addresses_that_are_not_web_pages_are_never_linked(url):
    assert not is_web_address(url)
    html = Template("{% load evidence %}{{ url|evidence_link }}").render(Context({"url": url}))
    assert "<a" not in html
    assert "<script>" not in html


def test_a_web_address_is_linked_with_its_label_and_escaped():
    url = 'https://github.com/ada/ml-notes/pull/12?x="><script>'
    html = Template("{% load evidence %}{{ url|evidence_link }}").render(Context({"url": url}))
    assert html.startswith('<a href="https://github.com/ada/ml-notes/pull/12?x=&quot;&gt;')
    assert ">ada/ml-notes#12</a>" in html
    assert "<script>" not in html


def test_a_very_long_address_gets_a_label_that_fits_and_keeps_the_file_name():
    deep = "/".join(["folder"] * 300)
    label = evidence_label(f"https://github.com/ada/ml-notes/blob/main/{deep}/result.ipynb")
    assert len(label) <= MAX_LABEL
    assert label.startswith("ada/ml-notes: …")
    assert label.endswith("/result.ipynb")
    assert len(evidence_label("https://example.org/" + "a" * 10_000)) == MAX_LABEL


def test_control_characters_are_dropped_from_labels():
    # A right-to-left override would show "pca.ipynb" reversed as something else.
    label = evidence_label("https://github.com/ada/x/blob/main/%E2%80%AEbnypi.exe")
    assert "\u202e" not in label
    assert label == "ada/x: bnypi.exe"


def test_a_commit_address_with_a_name_that_is_not_a_repository_is_shown_plainly():
    assert evidence_label("https://github.com/<b>/x/commit/" + SHA).startswith("github.com/")
    assert evidence_label("") == ""
