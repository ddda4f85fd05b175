from django.contrib import admin
from markdownx.widgets import AdminMarkdownxWidget

from config.admin import OWN_ROADMAPS, OwnRowsOnly

from .models import Post


@admin.register(Post)
class PostAdmin(OwnRowsOnly, admin.ModelAdmin):
    owner_path = "author"
    list_display = ["title", "kind", "author", "status", "published_at"]
    list_filter = ["status", "kind", OWN_ROADMAPS]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    autocomplete_fields = ["milestones", "topics"]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        """A post renamed here moves as it does on its edit page: the old address redirects."""
        address = obj.slug
        if change and "slug" in form.changed_data:
            obj.slug = form.initial["slug"]
        super().save_model(request, obj, form, change)
        obj.move_to(address)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["widget"] = AdminMarkdownxWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)
