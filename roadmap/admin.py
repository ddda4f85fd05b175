from django import forms
from django.contrib import admin

from config.admin import OWN_ROADMAPS, OwnRowsOnly

from .forms import ADDRESS_IN_USE, RESERVED_SLUGS
from .models import Milestone, ProgressEvent, Resource, Roadmap, RoadmapAddress, Stage, Topic
from .services import milestone_set_status


class TouchesRoadmap:
    """Admin edits move the roadmap's last change, so cached pages and open dashboards follow."""

    def _touch(self, obj):
        roadmap_id = obj.pk if isinstance(obj, Roadmap) else obj.roadmap_id
        Roadmap.objects.filter(pk=roadmap_id).mark_changed()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._touch(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._touch(form.instance)

    def delete_model(self, request, obj):
        roadmap_id = obj.roadmap_id if not isinstance(obj, Roadmap) else None
        super().delete_model(request, obj)
        if roadmap_id:
            Roadmap.objects.filter(pk=roadmap_id).mark_changed()


class StageInline(admin.TabularInline):
    model = Stage
    fields = ["position", "key", "title"]
    extra = 0
    show_change_link = True


class RoadmapAdminForm(forms.ModelForm):
    """The admin's roadmap form holds addresses as the settings page does."""

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{slug}” is reserved for the site: choose another.")
        owner = self.instance.owner_id
        if RoadmapAddress.objects.keeps(slug, owner=owner, roadmap=self.instance):
            raise forms.ValidationError(ADDRESS_IN_USE)
        return slug


@admin.register(Roadmap)
class RoadmapAdmin(OwnRowsOnly, TouchesRoadmap, admin.ModelAdmin):
    owner_path = "owner"
    form = RoadmapAdminForm
    list_display = ["title", "slug", "owner", "visibility", "started_on", "target_date"]
    list_filter = ["visibility"]
    search_fields = ["title", "slug", "owner__username"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [StageInline]

    def save_model(self, request, obj, form, change):
        """A roadmap renamed here moves as it does in its settings: the old address redirects."""
        address = obj.slug
        if change and "slug" in form.changed_data:
            obj.slug = form.initial["slug"]
        super().save_model(request, obj, form, change)
        if obj.slug != address:
            obj.move_to(address)


class TopicInline(admin.TabularInline):
    model = Topic
    fields = ["position", "key", "slug", "title"]
    extra = 0
    show_change_link = True


@admin.register(Stage)
class StageAdmin(OwnRowsOnly, TouchesRoadmap, admin.ModelAdmin):
    list_display = ["title", "roadmap", "position"]
    list_filter = [OWN_ROADMAPS]
    search_fields = ["title", "key"]
    inlines = [TopicInline]


class ResourceInline(admin.TabularInline):
    model = Resource
    fields = ["position", "type", "title", "url"]
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = ["position", "key", "slug", "title", "kind", "estimated_hours", "optional", "status"]
    # Status is changed on the milestone's own page, where it goes through the event log.
    readonly_fields = ["status"]
    extra = 0
    show_change_link = True


@admin.register(Topic)
class TopicAdmin(OwnRowsOnly, TouchesRoadmap, admin.ModelAdmin):
    list_display = ["title", "stage", "roadmap", "position"]
    list_filter = [OWN_ROADMAPS]
    search_fields = ["title", "key"]
    filter_horizontal = ["prerequisites"]
    inlines = [ResourceInline, MilestoneInline]


class ProgressEventInline(admin.TabularInline):
    model = ProgressEvent
    fields = ["at", "from_status", "to_status"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Milestone)
class MilestoneAdmin(OwnRowsOnly, TouchesRoadmap, admin.ModelAdmin):
    list_display = ["title", "topic", "kind", "estimated_hours", "optional", "status"]
    list_filter = [OWN_ROADMAPS, "status", "kind", "optional"]
    search_fields = ["title", "key"]
    list_select_related = ["topic"]
    inlines = [ProgressEventInline]

    def save_model(self, request, obj, form, change):
        """A status changed here goes through the same rules and log as everywhere else."""
        new_status = obj.status
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            milestone_set_status(milestone=obj, status=new_status)
        else:
            super().save_model(request, obj, form, change)


@admin.register(ProgressEvent)
class ProgressEventAdmin(OwnRowsOnly, admin.ModelAdmin):
    """The log is append-only: it can be read here, never edited."""

    list_display = ["at", "milestone", "from_status", "to_status"]
    list_filter = [OWN_ROADMAPS, "to_status"]
    list_select_related = ["milestone"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
