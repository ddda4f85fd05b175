from django import forms
from django.contrib import admin
from markdownx.widgets import AdminMarkdownxWidget

from config.admin import OWN_ROADMAPS, OwnRowsOnly

from .models import RESERVED_SLUGS, Post


class PostAdminForm(forms.ModelForm):
    """The admin's post form holds addresses as the edit page does: none in use, ever."""

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{slug}” is reserved for the site: choose another.")
        if Post.objects.address_taken(slug, post=self.instance):
            raise forms.ValidationError(f"The address “{slug}” is in use: choose another.")
        return slug


@admin.register(Post)
class PostAdmin(OwnRowsOnly, admin.ModelAdmin):
    owner_path = "author"
    form = PostAdminForm
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
