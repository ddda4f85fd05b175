from django.contrib.sitemaps import Sitemap

from journal.models import Post
from roadmap.models import Milestone, Roadmap, Topic


class PostSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Post.objects.listed().newest_first().only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class RoadmapSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Roadmap.objects.listed().only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class PublicRoadmapPartSitemap(Sitemap):
    """Topics or milestones of public roadmaps, each at its own page."""

    changefreq = "weekly"
    model = None

    def items(self):
        return (
            self.model.objects.filter(roadmap__visibility=Roadmap.Visibility.PUBLIC)
            .select_related("roadmap")
            .order_by("pk")
        )


class TopicSitemap(PublicRoadmapPartSitemap):
    model = Topic


class MilestoneSitemap(PublicRoadmapPartSitemap):
    model = Milestone


SITEMAPS = {
    "roadmaps": RoadmapSitemap,
    "topics": TopicSitemap,
    "milestones": MilestoneSitemap,
    "posts": PostSitemap,
}
