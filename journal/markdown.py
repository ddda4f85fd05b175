"""Markdown to safe HTML: the one path for stored posts, the editor preview and the Atom feeds.

Kept free of Django so it can be used (and tested) anywhere. Markdown output is never trusted
on its own: whatever the extensions or the author's raw HTML produce, nh3 has the last word.
"""

import math
import re
import xml.etree.ElementTree as etree
from html.parser import HTMLParser

import markdown
import nh3
from latex2mathml.converter import convert_to_element
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from pygments.token import STANDARD_TYPES

# --- Allow-list -------------------------------------------------------------------------------
# fmt: off

# What Markdown itself writes (and what authors may reasonably type as raw HTML).
TEXT_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr", "br", "ul", "ol", "li"}
INLINE_TAGS = {"a", "em", "strong", "del", "code", "pre", "span", "img", "sup", "sub"}
# `div` wraps code blocks, the [TOC] box and footnotes; it keeps only their classes.
BOX_TAGS = {"div", "details", "summary"}
# The tables extension, and Pygments' line-number tables.
TABLE_TAGS = {"table", "thead", "tbody", "tr", "th", "td"}
# Task lists render a checkbox; the sanitiser forces it disabled.
TASK_TAGS = {"input"}
# What latex2mathml emits, plus the harmless semantics/annotation wrappers. Left out on purpose:
# maction (toggles/statuslines), annotation-xml (an HTML integration point, the classic mXSS
# shape) and mglyph/malignmark (parser-confusion tricks); latex2mathml never needs them.
MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "semantics", "annotation",
}
ALLOWED_TAGS = frozenset(TEXT_TAGS | INLINE_TAGS | BOX_TAGS | TABLE_TAGS | TASK_TAGS | MATHML_TAGS)

# Dropped with everything inside them: their content is code or a parsing trap, never prose.
CLEAN_CONTENT_TAGS = frozenset({
    "script", "style", "template", "iframe", "object", "noscript", "noembed", "noframes",
    "textarea", "title", "xmp", "svg",
})

ALLOWED_ATTRIBUTES = {
    # Heading ids are toc anchors; li/sup ids are footnote targets and back-reference targets.
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id"}, "sup": {"id"},
    # `rel` is not listed: nh3 writes it on every link (see LINK_REL).
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"}, "input": {"checked"}, "details": {"open"},
    # MathML presentation only: no href, no style, no xlink, no event handlers.
    "mi": {"mathvariant"}, "mn": {"mathvariant"}, "ms": {"mathvariant"}, "mtext": {"mathvariant"},
    "mo": {"mathvariant", "accent", "fence", "form", "largeop", "lspace", "rspace", "maxsize",
           "minsize", "movablelimits", "separator", "stretchy", "symmetric"},
    "mstyle": {"displaystyle", "scriptlevel", "mathsize", "mathcolor", "mathbackground"},
    "mspace": {"width", "height", "depth", "linebreak", "mathbackground"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset", "mathbackground"},
    "mover": {"accent"}, "munder": {"accentunder"}, "munderover": {"accent", "accentunder"},
    "mfrac": {"linethickness"}, "menclose": {"notation"}, "annotation": {"encoding"},
    "mtable": {"columnalign", "columnlines", "columnspacing", "rowalign", "rowlines",
               "rowspacing", "displaystyle", "frame"},
    "mtr": {"columnalign", "rowalign"},
    "mtd": {"columnalign", "rowalign", "columnspan", "rowspan"},
}
# Attributes whose values are enumerated rather than free text.
TAG_ATTRIBUTE_VALUES = {"input": {"type": {"checkbox"}}, "math": {"display": {"block", "inline"}}}
# A checkbox in a post is a record of progress, never a control.
SET_TAG_ATTRIBUTE_VALUES = {"input": {"disabled": ""}}

# Classes are for styling only; each tag gets exactly the ones our extensions write.
PYGMENTS_CLASSES = {name for name in STANDARD_TYPES.values() if name}
# A table column's alignment (see _TableAlignment): the stylesheet knows these.
ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
ALLOWED_CLASSES = {
    "div": {"highlight", "toc", "footnote", "linenodiv"},
    "span": PYGMENTS_CLASSES | {"filename", "hll", "normal", "linenos"},
    "table": {"highlighttable"}, "td": {"linenos", "code"} | ALIGN_CLASSES, "th": ALIGN_CLASSES,
    "a": {"headerlink", "footnote-ref", "footnote-backref"},
    "ul": {"task-list"}, "li": {"task-list-item"},
}
# fmt: on

# Relative and fragment URLs pass too (footnotes and the toc need them).
URL_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})
# On every link, fragment ones included (harmless there): simpler than telling them apart, and
# raw-HTML links never pass through Markdown, so only the sanitiser can be relied on to add it.
LINK_REL = "nofollow noopener"
# Post ids share the page with the site's own (`main`, htmx targets...), so every id and every
# fragment link is moved into one namespace; a heading called "Main" cannot hijack `#main`.
ID_PREFIX = "md-"
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f]+")
_COLOUR = re.compile(r"#?[A-Za-z0-9]{1,20}")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in {"href", "src"}:
        # nh3 lets "java script:" through as a relative URL; browsers agree, but feed readers
        # may be sloppier, so judge the scheme with whitespace and control characters removed.
        scheme = _SCHEME.match(_INVISIBLE.sub("", value).lower())
        if scheme and scheme[1] not in (IMAGE_SCHEMES if tag == "img" else URL_SCHEMES):
            return None
        if value.startswith("#") and not value.startswith("#" + ID_PREFIX):
            return "#" + ID_PREFIX + value[1:]
    if attribute in {"mathcolor", "mathbackground"} and not _COLOUR.fullmatch(value):
        return None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(CLEAN_CONTENT_TAGS),
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    link_rel=LINK_REL,
    tag_attribute_values=TAG_ATTRIBUTE_VALUES,
    set_tag_attribute_values=SET_TAG_ATTRIBUTE_VALUES,
    url_schemes=set(URL_SCHEMES),
    allowed_classes=ALLOWED_CLASSES,
    id_prefix=ID_PREFIX,
)


# An image written as raw HTML without alt text gets an empty one, so a screen reader skips
# it rather than reading out its address. The sanitiser's output always quotes attributes.
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=\")")


def sanitize_html(html: str) -> str:
    """Reduce any HTML to the allow-list above; idempotent on its own output."""
    return _IMG_WITHOUT_ALT.sub('<img alt=""', _CLEANER.clean(html))


# --- Math -------------------------------------------------------------------------------------

# `$$...$$` anywhere, or arithmatex's smart dollars: no space just inside `$...$`. Pandoc's extra
# rule (no digit straight after the closing dollar) keeps "$5 and $10" and "$5-$10" as prose.
# \x02/\x03 bound Markdown's placeholders, so code spans inside dollars stay code.
_TEX = r"(?:\\.|[^\\$\x02\x03])+?"
INLINE_MATH = (
    rf"(?<![\\$])\$\$(?P<display>{_TEX})\$\$"
    rf"|(?<![\\$])\$(?![\s$])(?P<inline>{_TEX})(?<!\s)\$(?![\d$])"
)
BLOCK_MATH = re.compile(rf"\s*\$\$(?P<tex>{_TEX})\$\$\s*", re.DOTALL)


def _math_element(tex: str, display: str, source: str) -> etree.Element:
    try:
        root = convert_to_element(tex, display=display)
    except Exception:  # latex2mathml raises many types on bad input; the post must still render.
        root = etree.Element("code")
        root.text = source
    root.attrib.pop("xmlns", None)  # HTML parsers put <math> in the MathML namespace anyway.
    # Markdown must not reinterpret the TeX (underscores, asterisks) as inline syntax.
    for node in root.iter():
        node.text = AtomicString(node.text) if node.text else node.text
    return root


class _InlineMath(InlineProcessor):
    def handleMatch(self, m, data):
        tex, display = (m["display"], "block") if m["display"] else (m["inline"], "inline")
        return _math_element(tex, display, m[0]), m.start(0), m.end(0)


class _BlockMath(BlockProcessor):
    """A paragraph that is only `$$...$$`, claimed before lists and headings can split it."""

    def test(self, parent, block):
        return BLOCK_MATH.fullmatch(block) is not None

    def run(self, parent, blocks):
        block = blocks.pop(0)
        element = _math_element(BLOCK_MATH.fullmatch(block)["tex"], "block", block.strip())
        (parent if element.tag == "math" else etree.SubElement(parent, "pre")).append(element)


class MathExtension(Extension):
    def extendMarkdown(self, md):
        md.ESCAPED_CHARS.append("$")  # so `\$` is a literal dollar
        # Below backticks (190) so code spans win; above escapes and emphasis so TeX is intact.
        md.inlinePatterns.register(_InlineMath(INLINE_MATH, md), "math-inline", 189.9)
        # Below indented code (80), above tables, headings and lists.
        md.parser.blockprocessors.register(_BlockMath(md.parser), "math-block", 79.9)


# --- Tables -------------------------------------------------------------------------------------


class _TableAlignment(Treeprocessor):
    """A column's alignment as a class: `align` is obsolete in HTML, and inline styles would
    need the Content-Security-Policy to allow them."""

    def run(self, root):
        for cell in root.iter():
            align = cell.attrib.pop("align", None)
            if cell.tag in {"th", "td"} and align in {"left", "center", "right"}:
                cell.set("class", f"align-{align}")


class TableAlignmentExtension(Extension):
    def extendMarkdown(self, md):
        # Tables are built by the block parser, before any tree processor runs.
        md.treeprocessors.register(_TableAlignment(md), "table-alignment", 5)


# --- Rendering --------------------------------------------------------------------------------

EXTENSION_CONFIGS = {
    "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight", "guess_lang": False},
    "pymdownx.superfences": {},
    "tables": {"use_align_attribute": True},  # made into classes by TableAlignmentExtension
    "footnotes": {},
    "toc": {"permalink": True},
    "pymdownx.tasklist": {"custom_checkbox": False, "clickable_checkbox": False},
}


def render_markdown(text: str) -> str:
    """Turn an author's Markdown into HTML that is safe to show to anyone."""
    # A fresh Markdown per call: instances carry per-document state and are not thread-safe.
    md = markdown.Markdown(
        extensions=[*EXTENSION_CONFIGS, MathExtension(), TableAlignmentExtension()],
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )
    return sanitize_html(md.convert(text))


# --- Plain-text helpers -----------------------------------------------------------------------

# Blocks: each is a sentence of its own in plain text, so "<h2>Wins</h2><p>Text" reads
# "Wins. Text" rather than running the two together.
_BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr", "ul", "ol", "li", "pre",
    "div", "details", "summary", "table", "thead", "tbody", "tr",
}  # fmt: skip
# Tags that only keep the words on either side apart.
_SPACING_TAGS = {"br", "td", "th", "mtd"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Chrome rather than prose: permalink pilcrows, footnote markers and the toc box.
_SKIPPED_CLASSES = {"headerlink", "footnote-ref", "footnote", "toc"}
_VOID_TAGS = {"br", "hr", "img", "input"}
_SENTENCE_END = re.compile(r"[.!?:;…][)\]\"'”’»]*$")


class _TextExtractor(HTMLParser):
    """The text of HTML as blocks: (heading level, or None for prose; the block's words)."""

    def __init__(self):
        super().__init__()
        self.blocks: list[tuple[int | None, str]] = []
        self.words: list[str] = []
        self.heading: int | None = None
        self.skip_depth = 0

    def _end_block(self):
        text = " ".join("".join(self.words).split())
        if text:
            self.blocks.append((self.heading, text))
        self.words = []

    def handle_starttag(self, tag, attrs):
        classes = set((dict(attrs).get("class") or "").split())
        if tag not in _VOID_TAGS and (self.skip_depth or classes & _SKIPPED_CLASSES):
            self.skip_depth += 1
        if tag in _BLOCK_TAGS:
            self._end_block()
            self.heading = _HEADINGS.get(tag)
        elif tag in _SPACING_TAGS:
            self.words.append(" ")

    def handle_endtag(self, tag):
        if tag not in _VOID_TAGS and self.skip_depth:
            self.skip_depth -= 1
        if tag in _BLOCK_TAGS:
            self._end_block()
            self.heading = None
        elif tag in _SPACING_TAGS:
            self.words.append(" ")

    def handle_data(self, data):
        if not self.skip_depth:
            self.words.append(data)

    def close(self):
        super().close()
        self._end_block()


def _with_content(blocks: list[tuple[int | None, str]]) -> list[str]:
    """The blocks' text without the headings that have nothing under them.

    A weekly log's prompts ("## Wins", "## Struggles"...) left unanswered say nothing; a
    heading is kept where prose, or a smaller heading over prose, follows it.
    """
    kept = []
    for index, (level, text) in enumerate(blocks):
        if level is not None and not _has_prose_under(level, blocks[index + 1 :]):
            continue
        kept.append(text)
    return kept


def _has_prose_under(level: int, following: list[tuple[int | None, str]]) -> bool:
    for other, _ in following:
        if other is None:
            return True
        if other <= level:
            return False
    return False


def excerpt_from_html(html: str, length: int = 200) -> str:
    """Plain text for cards and feed summaries: a sentence a block, cut at a word boundary."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    blocks = _with_content(parser.blocks)
    # A full stop between blocks that lack their own; the last one ends as it was written.
    text = " ".join(
        [block if _SENTENCE_END.search(block) else f"{block}." for block in blocks[:-1]]
        + blocks[-1:]
    )
    if len(text) <= length:
        return text
    cut = text[:length]
    if text[length] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


WORDS_PER_MINUTE = 220
_WORD = re.compile(r"\S*\w\S*")  # a token with a letter or digit; bare Markdown syntax is not


def reading_time_minutes(text: str) -> int:
    """Whole minutes to read `text` (Markdown or plain), never less than one."""
    return max(1, math.ceil(len(_WORD.findall(text)) / WORDS_PER_MINUTE))
