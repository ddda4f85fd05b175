from django.contrib.sitemaps import Sitemap

from roadmap.models import Milestone, Roadmap, Topic

from .models import Post


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


class TopicSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Topic.objects.filter(roadmap__visibility=Roadmap.Visibility.PUBLIC)
            .select_related("roadmap")
            .order_by("pk")
        )


class MilestoneSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Milestone.objects.filter(roadmap__visibility=Roadmap.Visibility.PUBLIC)
            .select_related("roadmap")
            .order_by("pk")
        )


SITEMAPS = {
    "roadmaps": RoadmapSitemap,
    "topics": TopicSitemap,
    "milestones": MilestoneSitemap,
    "posts": PostSitemap,
}
