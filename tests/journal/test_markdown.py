"""journal.markdown: the features survive the sanitiser, and hostile posts come out inert.

No Django here on purpose: the module must work (and be testable) without it.
"""

import html
import re
from html.parser import HTMLParser

import pytest
from latex2mathml.converter import convert

from journal.markdown import (
    ALLOWED_TAGS,
    excerpt_from_html,
    reading_time_minutes,
    render_markdown,
    sanitize_html,
)
from tests.journal.xss_corpus import PAYLOADS

FORBIDDEN_TAGS = {
    "script", "style", "iframe", "object", "embed", "base", "meta", "form", "svg", "template",
    "link", "frame", "frameset", "applet", "portal", "button", "textarea", "select", "noscript",
    "xmp", "plaintext", "maction", "annotation-xml", "mglyph", "malignmark", "animate", "set",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "data", "poster"}
LINK_SCHEMES = {"http", "https", "mailto"}
IMAGE_SCHEMES = {"http", "https"}
INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f]+")
SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


class ElementCollector(HTMLParser):
    """Every start tag in a document, with its attributes as the browser would read them.

    Comments, CDATA, doctypes and processing instructions are recorded as elements too: the
    sanitiser never emits them, and html.parser reads some of them differently from browsers
    (`<!-->` closes a comment in HTML5), so their presence alone is a failure.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_comment(self, data):
        self.elements.append(("#comment", []))

    def handle_decl(self, decl):
        self.elements.append(("#declaration", []))

    def handle_pi(self, data):
        self.elements.append(("#processing-instruction", []))

    def unknown_decl(self, data):
        self.elements.append(("#cdata", []))


def elements_of(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = ElementCollector()
    collector.feed(markup)
    collector.close()
    return collector.elements


def normalised_url(value: str) -> str:
    # html.parser has unescaped once; unescape again so double-encoded schemes are judged too.
    return INVISIBLE.sub("", html.unescape(value)).lower()


def assert_inert(markup: str) -> None:
    for tag, attrs in elements_of(markup):
        assert tag in ALLOWED_TAGS, f"element <{tag}> is not on the allow-list"
        assert tag not in FORBIDDEN_TAGS, f"forbidden element <{tag}>"
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name} on <{tag}>"
            assert name != "style", f"style attribute on <{tag}>"
            if name in URL_ATTRIBUTES:
                url = normalised_url(value or "")
                assert not url.startswith(("javascript:", "vbscript:", "data:")), url
                scheme = SCHEME.match(url)
                allowed = IMAGE_SCHEMES if tag == "img" else LINK_SCHEMES
                assert scheme is None or scheme[1] in allowed, f"{name}={value!r} on <{tag}>"


def attribute(markup: str, tag: str, name: str) -> list[str | None]:
    return [dict(attrs).get(name) for found, attrs in elements_of(markup) if found == tag]


# --- Hostile input ----------------------------------------------------------------------------


def test_xss_corpus_has_at_least_120_distinct_payloads():
    assert len(set(PAYLOADS)) == len(PAYLOADS) >= 120


@pytest.mark.parametrize("payload", PAYLOADS)
def test_render_markdown_hostile_payload_outputs_no_executable_vector(payload):
    assert_inert(render_markdown(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitize_html_on_rendered_payload_changes_nothing(payload):
    rendered = render_markdown(payload)
    assert sanitize_html(rendered) == rendered


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitize_html_raw_payload_outputs_no_executable_vector(payload):
    assert_inert(sanitize_html(payload))


def test_assert_inert_catches_each_kind_of_vector():
    # The checker itself must bite, or every corpus test above passes vacuously.
    for markup in [
        "<script>alert(1)</script>",
        "<p onclick=x>a</p>",
        '<p style="x">a</p>',
        '<a href="java&#9;script:alert(1)">a</a>',
        '<a href="&amp;#106;avascript:alert(1)">a</a>',
        '<img src="mailto:a@b.c">',
        "<marquee>a</marquee>",
        "<!--><img src=x onerror=alert(1)>-->",
        "<![CDATA[x]]>",
    ]:
        with pytest.raises(AssertionError):
            assert_inert(markup)


def test_render_markdown_javascript_link_loses_href_but_keeps_text():
    out = render_markdown("[click me](javascript:alert(1))")
    assert attribute(out, "a", "href") == [None]
    assert "click me" in out


def test_render_markdown_scheme_split_by_whitespace_loses_href():
    assert attribute(render_markdown("[x](<java\tscript:alert(1)>)"), "a", "href") == [None]


def test_render_markdown_image_with_mailto_src_loses_src():
    assert attribute(render_markdown('<img src="mailto:a@example.com" alt="x">'), "img", "src") == [
        None
    ]


def test_render_markdown_raw_input_becomes_a_disabled_control():
    out = render_markdown('<input type="text" name="password"> <input type="checkbox">')
    assert attribute(out, "input", "disabled") == ["", ""]
    assert attribute(out, "input", "type") == [None, "checkbox"]


def test_render_markdown_raw_ids_and_fragment_links_are_namespaced():
    out = render_markdown('<h2 id="main">Raw</h2>\n\n[jump](#main)')
    assert attribute(out, "h2", "id") == ["md-main"]
    assert attribute(out, "a", "href") == ["#md-main"]


# --- Math -------------------------------------------------------------------------------------


def test_render_markdown_inline_dollars_become_inline_mathml():
    out = render_markdown(r"Ratio $\frac{a}{b}$ here.")
    assert (
        '<math display="inline"><mrow><mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow>'
        "</mfrac></mrow></math>"
    ) in out
    assert out.startswith("<p>Ratio ")


def test_render_markdown_display_dollars_become_block_mathml():
    out = render_markdown("Before.\n\n$$\n\\sum_{i=1}^{n} x_i\n$$\n\nAfter.")
    assert '<math display="block"><mrow><munderover><mo>∑</mo>' in out
    assert "<p>$$" not in out and "$$" not in out


def test_render_markdown_display_dollars_inside_a_paragraph_become_block_mathml():
    out = render_markdown(r"Inline display $$x^2$$ in a sentence.")
    assert '<math display="block"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>' in out


@pytest.mark.parametrize(
    "prose",
    [
        "It costs $5 and $10 at the shop.",
        "Budget: $5-$10 per month.",
        "Paid $20, then $ 30 more.",
        "Escaped \\$x\\$ stays prose.",
    ],
)
def test_render_markdown_prose_with_dollar_amounts_has_no_math(prose):
    out = render_markdown(prose)
    assert "<math" not in out
    assert "$" in out


def test_render_markdown_math_inside_code_stays_code():
    out = render_markdown("Use `$x^2$` inline.\n\n```\n$$y$$\n```")
    assert "<math" not in out
    assert "<code>$x^2$</code>" in out
    assert "$$y$$" in out


def test_render_markdown_invalid_inline_latex_falls_back_to_code():
    out = render_markdown("Broken $x^$ formula.")
    assert "<code>$x^$</code>" in out
    assert "<math" not in out


def test_render_markdown_invalid_display_latex_falls_back_to_code_block():
    out = render_markdown("$$\n\\begin{matrix} a \\end{pmatrix}\n$$")
    assert "<math" not in out
    assert "<pre>" in out and "\\begin{matrix} a \\end{pmatrix}" in out


ML_FORMULAS = [
    r"\sum_{i=1}^{n} (y_i - \hat{y}_i)^2",
    r"\int_{-\infty}^{\infty} e^{-x^2}\,dx = \sqrt{\pi}",
    r"\begin{bmatrix} w_{11} & w_{12} \\ w_{21} & w_{22} \end{bmatrix}",
    r"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}",
    r"\frac{\partial \mathcal{L}}{\partial \theta} = \nabla_\theta J(\theta)",
    r"\alpha, \beta, \gamma, \Sigma, \Omega",
    r"\hat{\theta} = \tilde{x} + \bar{y} + \vec{v}",
    r"\|w\|_2^2 + \left\| x \right\|_1",
    r"\argmax_{\theta} p(x \mid \theta)",
    r"\operatorname*{argmin}_w \lambda \lVert w \rVert",
    r"x \in \mathbb{R}^{n \times d}",
    r"\text{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
    r"\mathbb{E}_{x \sim p}[\log q(x)]",
    r"\sqrt[3]{x} + \binom{n}{k}",
    r"\begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}",
    r"\begin{aligned} a &= b + c \\ d &= e \end{aligned}",
    r"\overbrace{a + b}^{n} \underbrace{c}_{m}",
    r"\boxed{E = mc^2} \cancel{x}",
    r"\color{blue} x \quad \mathbf{W} \mathrm{d}x",
    r"\displaystyle \lim_{n \to \infty} \prod_{k=1}^{n} a_k",
    r"\xrightarrow{f} \tfrac{1}{2} \dfrac{1}{2}",
]


def signature(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    return [(tag, sorted(attrs)) for tag, attrs in elements_of(markup)]


@pytest.mark.parametrize("tex", ML_FORMULAS)
def test_render_markdown_ml_formula_keeps_every_mathml_element_and_attribute(tex):
    # The allow-list must cover what latex2mathml emits; only its namespace declaration goes.
    expected = signature(
        convert(tex, display="block").replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "")
    )
    out = render_markdown(f"$$\n{tex}\n$$")
    assert signature(out) == expected


def test_render_markdown_latex_href_and_style_are_dropped():
    out = render_markdown(r"$\href{https://example.com}{x} \style{color:red}{y}$")
    assert "<math" in out
    for _, attrs in elements_of(out):
        assert {"href", "style"}.isdisjoint(dict(attrs))


def test_render_markdown_latex_text_with_markup_is_escaped_text():
    out = render_markdown(r"$\text{<b>bold</b> & co}$")
    assert "<mtext>&lt;b&gt;bold&lt;/b&gt;&nbsp;&amp;&nbsp;co</mtext>" in out


def test_render_markdown_latex_colour_that_is_not_a_colour_is_dropped():
    out = render_markdown(r"$\color{url(x)} a$ $\color{red} b$")
    assert attribute(out, "mstyle", "mathcolor") == [None, "red"]


# --- Other Markdown features ------------------------------------------------------------------


def test_render_markdown_python_fence_gets_pygments_classes_without_styles():
    out = render_markdown('```python\ndef greet(name):\n    return "hi"\n```')
    assert out.startswith('<div class="highlight"><pre>')
    assert '<span class="k">def</span>' in out
    assert '<span class="nf">greet</span>' in out
    assert "style=" not in out


def test_render_markdown_footnote_has_reference_and_back_reference():
    out = render_markdown("Claim.[^1]\n\n[^1]: Source.")
    assert '<sup id="md-fnref:1"><a class="footnote-ref" href="#md-fn:1"' in out
    assert '<div class="footnote">' in out
    assert '<li id="md-fn:1">' in out
    assert '<a class="footnote-backref" href="#md-fnref:1"' in out


def test_render_markdown_table_aligns_columns_by_class_not_the_obsolete_attribute():
    out = render_markdown("| Model | Loss | Note |\n|:------|-----:|:-:|\n| MLP | 0.12 | ok |")
    assert "<table>" in out and "<thead>" in out and "<tbody>" in out
    assert '<th class="align-left">Model</th>' in out
    assert '<td class="align-right">0.12</td>' in out
    assert '<td class="align-center">ok</td>' in out
    assert "align=" not in out and "style=" not in out


def test_sanitize_html_drops_align_attributes_and_classes_not_its_own():
    out = sanitize_html('<table><tr><td align="right" class="align-right evil">1</td></tr></table>')
    assert '<td class="align-right">1</td>' in out


def test_render_markdown_toc_marker_links_to_every_heading_id():
    out = render_markdown('[TOC]\n\n# Setup\n\n## Data "splits"\n\n## Results')
    heading_ids = [dict(attrs)["id"] for tag, attrs in elements_of(out) if tag in {"h1", "h2"}]
    toc = out[out.index('<div class="toc">') : out.index("</div>")]
    toc_links = attribute(toc, "a", "href")
    assert heading_ids == ["md-setup", "md-data-splits", "md-results"]
    assert toc_links == [f"#{heading_id}" for heading_id in heading_ids]
    assert out.count('class="headerlink"') == 3


def test_render_markdown_task_list_renders_disabled_checkboxes():
    out = render_markdown("- [x] read the paper\n- [ ] write the notes")
    assert '<ul class="task-list">' in out
    assert attribute(out, "input", "type") == ["checkbox", "checkbox"]
    assert attribute(out, "input", "disabled") == ["", ""]
    assert attribute(out, "input", "checked") == ["", None]


def test_render_markdown_external_link_gets_nofollow_noopener():
    out = render_markdown("[paper](https://arxiv.org/abs/1706.03762)")
    assert '<a href="https://arxiv.org/abs/1706.03762" rel="nofollow noopener">paper</a>' in out


def test_render_markdown_mailto_link_keeps_href():
    assert attribute(render_markdown("[mail me](mailto:ada@example.com)"), "a", "href") == [
        "mailto:ada@example.com"
    ]


def test_render_markdown_relative_link_and_image_keep_their_urls():
    out = render_markdown("[next](/journal/2/) ![plot](/media/plot.png)")
    assert attribute(out, "a", "href") == ["/journal/2/"]
    assert attribute(out, "img", "src") == ["/media/plot.png"]


def test_render_markdown_feature_rich_post_is_a_fixed_point_of_sanitize_html():
    post = (
        "[TOC]\n\n# Notes $x$\n\nText[^n] and [a](https://a.example).\n\n[^n]: Note.\n\n"
        "- [x] done\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```\n\n"
        "$$\n\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}\n$$"
    )
    out = render_markdown(post)
    assert_inert(out)
    assert sanitize_html(out) == out


def test_render_markdown_empty_text_renders_empty_string():
    assert render_markdown("") == ""


# --- Plain text helpers -----------------------------------------------------------------------


def test_excerpt_from_html_empty_html_returns_empty_string():
    assert excerpt_from_html("") == ""


def test_excerpt_from_html_short_text_is_returned_whole_without_ellipsis():
    assert excerpt_from_html("<p>Short   and\n<em>sweet</em> &amp; done.</p>") == (
        "Short and sweet & done."
    )


def test_excerpt_from_html_each_block_is_a_sentence():
    assert excerpt_from_html("<h1>Title</h1><p>Body</p><ul><li>one</li><li>two</li></ul>") == (
        "Title. Body. one. two"
    )


def test_excerpt_from_html_leaves_out_headings_with_nothing_under_them():
    html = render_markdown(
        "# Week 3\n\n## Wins\n\n## Struggles\n\n### Numpy\n\nBroadcasting (again).\n\n"
        "## Confusion\n\n## Breakthroughs\n"
    )
    assert excerpt_from_html(html) == "Week 3. Struggles. Numpy. Broadcasting (again)."


def test_excerpt_from_html_table_cells_are_words_of_their_row():
    html = render_markdown("| Model | Loss |\n|--|--|\n| MLP | 0.12 |")
    assert excerpt_from_html(html) == "Model Loss. MLP 0.12"


def test_excerpt_from_html_long_text_is_cut_at_a_word_boundary_with_ellipsis():
    text = " ".join(f"word{n}" for n in range(100))
    excerpt = excerpt_from_html(f"<p>{text}</p>", length=50)
    assert excerpt.endswith("…")
    kept = excerpt.removesuffix("…")
    assert len(kept) <= 50
    assert text.startswith(kept) and text[len(kept)] == " "


def test_excerpt_from_html_single_overlong_word_is_cut_hard():
    assert excerpt_from_html("<p>" + "a" * 300 + "</p>", length=20) == "a" * 20 + "…"


def test_excerpt_from_html_text_exactly_at_length_has_no_ellipsis():
    assert excerpt_from_html("<p>abcde fghij</p>", length=11) == "abcde fghij"


def test_excerpt_from_html_rendered_post_skips_permalinks_footnotes_and_toc():
    out = render_markdown("[TOC]\n\n# Intro\n\nBody text.[^1]\n\n[^1]: Hidden note.")
    assert excerpt_from_html(out) == "Intro. Body text."


def test_reading_time_minutes_empty_text_is_one_minute():
    assert reading_time_minutes("") == 1


def test_reading_time_minutes_short_text_is_one_minute():
    assert reading_time_minutes("A few words only.") == 1


def test_reading_time_minutes_exactly_one_minute_of_words_is_one_minute():
    assert reading_time_minutes("word " * 220) == 1


def test_reading_time_minutes_long_text_rounds_up_at_220_words_a_minute():
    assert reading_time_minutes("word " * 221) == 2
    assert reading_time_minutes("word " * 2200) == 10


def test_reading_time_minutes_markdown_syntax_alone_is_not_counted_as_words():
    assert reading_time_minutes("# - * > | --- ``` " * 300) == 1


def test_raw_image_without_alt_text_gets_an_empty_one():
    html = render_markdown('<img src="https://example.org/a.png"> and ![described](b.png)')
    assert '<img alt="" src="https://example.org/a.png"' in html
    assert 'alt="described"' in html
    assert sanitize_html(html) == html
