"""Readable labels for evidence links, read from the address alone (no request is made).

A link to a commit, pull request, file or notebook on GitHub or GitLab is named the way the
learner would say it: `owner/repo@abc1234`, `owner/repo#12`, `group/project!7`,
`owner/repo: notebooks/pca.ipynb`. Anything else is shown as its host and path. Only the
real hosts count: `github.com.example.net`, `github.com@example.net` or a port are someone
else's server, labelled as such.
"""

import re
import unicodedata
from urllib.parse import unquote, urlsplit

MAX_LABEL = 80
SHORT_SHA = 7

_SHA = re.compile(r"[0-9a-fA-F]{7,64}")
_NUMBER = re.compile(r"[0-9]{1,9}")
# GitHub's owner and repository names; GitLab's groups, subgroups and projects.
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")

GITHUB_HOSTS = {"github.com", "www.github.com"}
GITLAB_HOSTS = {"gitlab.com", "www.gitlab.com"}
# Notebook viewers whose addresses carry a GitHub path: /github/<owner>/<repo>/blob/...
NOTEBOOK_HOSTS = {"nbviewer.org", "nbviewer.jupyter.org", "colab.research.google.com"}


def _printable(text: str) -> str:
    """Without control and formatting characters: a right-to-left override in a file name
    could make a label read as something it is not."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


def _clip(text: str, length: int = MAX_LABEL) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _clip_path(path: str, room: int) -> str:
    """A path that fits `room` characters, keeping its end: the file's name is what tells."""
    if len(path) <= room:
        return path
    return "…" + path[-(room - 1) :]


def _segments(path: str) -> list[str]:
    return [_printable(unquote(part)) for part in path.split("/") if part]


def _with_path(repository: str, parts: list[str]) -> str:
    path = "/".join(parts)
    if not path:
        return repository
    return f"{repository}: {_clip_path(path, max(MAX_LABEL - len(repository) - 2, 20))}"


def _github(parts: list[str]) -> str | None:
    """owner/repo[/commit/<sha> | /pull/<n> | /blob|tree/<ref>/<path> | ...]"""
    if len(parts) < 2 or not all(_NAME.fullmatch(p) for p in parts[:2]):
        return None
    repository = f"{parts[0]}/{parts[1].removesuffix('.git')}"
    rest = parts[2:]
    if len(rest) >= 2 and rest[0] == "commit" and _SHA.fullmatch(rest[1]):
        return f"{repository}@{rest[1][:SHORT_SHA].lower()}"
    if len(rest) >= 2 and rest[0] == "pull" and _NUMBER.fullmatch(rest[1]):
        return f"{repository}#{rest[1]}"
    if len(rest) >= 2 and rest[0] == "issues" and _NUMBER.fullmatch(rest[1]):
        return f"{repository}#{rest[1]}"
    if len(rest) >= 2 and rest[0] in ("blob", "tree"):
        return _with_path(repository, rest[2:])
    return repository


def _gitlab(parts: list[str]) -> str | None:
    """group[/subgroup...]/project[/-/commit/<sha> | /-/merge_requests/<n> | /-/blob/...]"""
    project = parts[: parts.index("-")] if "-" in parts else parts
    rest = parts[len(project) + 1 :] if "-" in parts else []
    if len(project) < 2 or not all(_NAME.fullmatch(p) for p in project):
        return None
    repository = "/".join(project).removesuffix(".git")
    if len(rest) >= 2 and rest[0] == "commit" and _SHA.fullmatch(rest[1]):
        return f"{repository}@{rest[1][:SHORT_SHA].lower()}"
    if len(rest) >= 2 and rest[0] == "merge_requests" and _NUMBER.fullmatch(rest[1]):
        return f"{repository}!{rest[1]}"
    if len(rest) >= 2 and rest[0] == "issues" and _NUMBER.fullmatch(rest[1]):
        return f"{repository}#{rest[1]}"
    if len(rest) >= 2 and rest[0] in ("blob", "tree"):
        return _with_path(repository, rest[2:])
    return repository


def _notebook(parts: list[str]) -> str | None:
    """nbviewer.org/github/<owner>/<repo>/blob/<ref>/<path>, and Colab's same shape."""
    if len(parts) >= 3 and parts[0] == "github":
        return _github(parts[1:])
    return None


def is_web_address(url: str) -> bool:
    """Whether `url` may be a link's href: http or https to a named host, nothing else."""
    try:
        split = urlsplit(url.strip())
    except ValueError:
        return False
    return split.scheme.lower() in ("http", "https") and bool(split.hostname)


def evidence_label(url: str) -> str:
    """A short readable name for an evidence link, from the address alone."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        split = urlsplit(url)
        port = split.port
    except ValueError:
        return _clip(_printable(url))
    host = (split.hostname or "").lower()
    if split.scheme.lower() not in ("http", "https") or not host:
        return _clip(_printable(url))
    parts = _segments(split.path)
    label = None
    # A name, a password or a port in the address makes it another server, whatever its host.
    if not (split.username or split.password or port):
        if host in GITHUB_HOSTS:
            label = _github(parts)
        elif host in GITLAB_HOSTS:
            label = _gitlab(parts)
        elif host in NOTEBOOK_HOSTS:
            label = _notebook(parts)
    if label is None:
        shown = _printable(unquote(split.netloc.rpartition("@")[2]).lower())
        label = shown + ("/" + "/".join(parts) if parts else "")
    return _clip(label)
