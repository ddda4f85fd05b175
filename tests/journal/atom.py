"""A strict reading of Atom (RFC 4287), for the feed tests: what a careful reader relies on.

`validate(xml)` returns the parsed feed, or fails with every problem it found: the required
elements, absolute ids and links, unique entry ids, RFC 3339 dates with an offset, HTML
content that is escaped text rather than markup, and a short plain summary.
"""

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

NS = "http://www.w3.org/2005/Atom"
ATOM = f"{{{NS}}}"
SUMMARY_LENGTH = 500

RFC3339 = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)"
)
# RFC 4151: tag:<DNS name or email>,<YYYY[-MM[-DD]]>:<specific>
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
TAG_URI = re.compile(
    rf"tag:(?:{_LABEL}(?:\.{_LABEL})*|[^@\s,]+@{_LABEL}(?:\.{_LABEL})*)"
    r",\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?"
    r":[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*"
)


def parse_date(text: str) -> datetime:
    """An RFC 3339 date-time with its offset, as an aware datetime."""
    if not RFC3339.fullmatch(text or ""):
        raise ValueError(f"not an RFC 3339 date-time with an offset: {text!r}")
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def is_absolute(uri: str) -> bool:
    if TAG_URI.fullmatch(uri or ""):
        return True
    parts = urlsplit(uri or "")
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


class _Markup(HTMLParser):
    """The tags and the URLs of a piece of HTML."""

    def __init__(self):
        super().__init__()
        self.tags, self.urls = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [value for name, value in attrs if name in {"href", "src"} and value]


def markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


class _Checker:
    def __init__(self):
        self.problems = []

    def check(self, condition, problem):
        if not condition:
            self.problems.append(problem)

    def one(self, parent, name, where):
        found = parent.findall(ATOM + name)
        self.check(len(found) == 1, f"{where}: {len(found)} <{name}>, wants exactly one")
        return found[0] if found else None

    def text(self, parent, name, where):
        element = self.one(parent, name, where)
        text = (element.text or "").strip() if element is not None else ""
        self.check(element is None or text, f"{where}: <{name}> is empty")
        if element is not None:
            self.check(not list(element), f"{where}: <{name}> holds elements, wants text")
            kind = element.get("type", "text")
            self.check(kind in {"text", "html"}, f"{where}: <{name}> of type {kind!r}")
        return text

    def date(self, parent, name, where, required=True):
        elements = parent.findall(ATOM + name)
        if required or elements:
            self.check(len(elements) == 1, f"{where}: {len(elements)} <{name}>, wants one")
        if not elements:
            return None
        try:
            return parse_date(elements[0].text)
        except ValueError as error:
            self.problems.append(f"{where}: <{name}>: {error}")
            return None

    def uri(self, value, where):
        self.check(is_absolute(value), f"{where}: {value!r} is not absolute")

    def links(self, parent, where):
        links = parent.findall(ATOM + "link")
        for link in links:
            self.uri(link.get("href"), f"{where}: <link rel={link.get('rel', 'alternate')}>")
        alternates = [link for link in links if link.get("rel", "alternate") == "alternate"]
        kinds = [(link.get("type"), link.get("hreflang")) for link in alternates]
        self.check(len(kinds) == len(set(kinds)), f"{where}: two alternate links of one type")
        return {link.get("rel", "alternate"): link.get("href") for link in links}

    def person(self, element, where):
        self.check(element.findtext(ATOM + "name", "").strip(), f"{where}: author with no name")
        uri = element.findtext(ATOM + "uri")
        if uri is not None:
            self.uri(uri, f"{where}: author <uri>")


def validate(xml: bytes) -> ET.Element:
    """The feed, parsed; an AssertionError listing each way it is not strict Atom."""
    feed = ET.fromstring(xml)
    c = _Checker()
    c.check(feed.tag == ATOM + "feed", f"the root is {feed.tag}, not an Atom <feed>")

    feed_id = c.text(feed, "id", "feed")
    c.uri(feed_id, "feed <id>")
    c.text(feed, "title", "feed")
    updated = c.date(feed, "updated", "feed")
    links = c.links(feed, "feed")
    c.check("self" in links, "feed: no <link rel='self'>")
    c.check("alternate" in links, "feed: no <link rel='alternate'>")
    feed_authors = feed.findall(ATOM + "author")
    for author in feed_authors:
        c.person(author, "feed")

    ids = []
    for n, entry in enumerate(feed.findall(ATOM + "entry")):
        where = f"entry {n + 1}"
        entry_id = c.text(entry, "id", where)
        c.uri(entry_id, f"{where} <id>")
        ids.append(entry_id)
        c.text(entry, "title", where)
        entry_updated = c.date(entry, "updated", where)
        published = c.date(entry, "published", where, required=False)
        if published and entry_updated:
            c.check(published <= entry_updated, f"{where}: published after it was updated")
        if updated and entry_updated:
            c.check(entry_updated <= updated, f"{where}: updated after the feed's <updated>")
        c.check("alternate" in c.links(entry, where), f"{where}: no <link rel='alternate'>")
        authors = entry.findall(ATOM + "author")
        c.check(feed_authors or authors, f"{where}: no author, and the feed has none")
        for author in authors:
            c.person(author, where)
        for category in entry.findall(ATOM + "category"):
            c.check(category.get("term", "").strip(), f"{where}: <category> with no term")

        summary = c.text(entry, "summary", where)
        c.check(len(summary) <= SUMMARY_LENGTH, f"{where}: a summary of {len(summary)} chars")

        content = c.one(entry, "content", where)
        if content is not None:
            c.check(content.get("type") == "html", f"{where}: <content> is not type='html'")
            c.check(not list(content), f"{where}: <content> holds XML elements, not escaped HTML")
            for url in markup(content.text or "").urls:
                c.check(
                    is_absolute(url) or url.startswith("mailto:"),
                    f"{where}: {url!r} in <content> is not absolute",
                )

    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    c.check(not duplicates, f"entry ids used twice: {duplicates}")
    assert not c.problems, "Not strict Atom:\n" + "\n".join(c.problems)
    return feed


def entries(feed: ET.Element) -> dict[str, ET.Element]:
    """The feed's entries by title."""
    return {entry.findtext(ATOM + "title"): entry for entry in feed.findall(ATOM + "entry")}


def entry_ids(feed: ET.Element) -> dict[str, str]:
    """Each entry's id by its title."""
    return {title: entry.findtext(ATOM + "id") for title, entry in entries(feed).items()}
