"""Parts of a visitor's page kept between renders: `{% kept "name" value ... %}...{% endkept %}`.

A roadmap's page shows its progress, so every status change renders it again; most of it
(a topic's resources and posts, the topics around it, a milestone's description and
reproduction) moves only with other changes. Such a part, marked in its template, is kept
under the site's number of every change but progress (`SiteVersion.beyond_progress`), as
config/cache.py keeps whole pages under the site's number: after a status change the page
is rendered again around the parts it already had. Any other change moves the number, and
every part is rendered afresh.

Kept only while rendering a page for the visitors' cache (a request without a session, which
it marks with the version it read): a kept part is the same for every visitor, never holds
an owner's control or a form's token, and a learner's own pages render in full. The key also
holds the code's version, the quarter of an hour (for "3 days ago"), the time zone the page
is rendered in, the site's address, and the values the tag names (what the part is of).

What a part shows must not move with progress alone: no status, no study time, no count of
either. tests/test_page_cache.py renders the marked pages again after status changes and
study time, holding each to the bytes of a page rendered with nothing kept, and after each
other kind of change a part shows (a resource, a renamed prerequisite, a post, a result,
evidence, a description), holding it to show the change.
"""

import hashlib
import time

from django import template
from django.core.cache import cache
from django.utils import timezone

from config.cache import TIME_STEP, code_version

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist, name, values):
        self.nodelist, self.name, self.values = nodelist, name, values

    def render(self, context):
        request = context.get("request")
        version = getattr(request, "visitor_version", None)
        if version is None:
            return self.nodelist.render(context)
        values = "|".join(str(value.resolve(context)) for value in self.values)
        digest = hashlib.sha256(
            f"{request.scheme}://{request.get_host()}|{timezone.get_current_timezone_name()}|"
            f"{values}".encode()
        ).hexdigest()[:32]
        step = int(time.time()) // TIME_STEP
        key = f"part:{code_version()}:{version.beyond_progress}:{step}:{self.name}:{digest}"
        html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            cache.set(key, html, TIME_STEP)
        return html


@register.tag
def kept(parser, token):
    """{% kept "name" value ... %}...{% endkept %}: the part kept for visitors (see above)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError('{% kept %} needs a name: {% kept "name" value %}')
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return KeptNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
