"""The admin is for running the site: a policy every app's admin follows."""

from django.contrib import admin

# Filter by roadmap offering only the roadmaps of the rows listed, which OwnRowsOnly has
# scoped: a plain filter would list every learner's roadmaps, private ones included.
OWN_ROADMAPS = ("roadmap", admin.RelatedOnlyFieldListFilter)


class OwnRowsOnly:
    """Staff who are not superusers see and choose only rows of their own.

    Nobody sees another learner's private roadmaps, notes or drafts in the admin, or can
    tie their rows to another's. `owner_path` says how a row reaches the learner it belongs
    to; a related model's own admin says the same for the choices in its forms.
    """

    owner_path = "roadmap__owner"

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        return rows.filter(**{self.owner_path: request.user})

    def _own_choices(self, field, db_field, request):
        related_admin = self.admin_site._registry.get(db_field.related_model)
        path = getattr(related_admin, "owner_path", None)
        if field is not None and path and not request.user.is_superuser:
            field.queryset = field.queryset.filter(**{path: request.user})
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name == self.owner_path and not request.user.is_superuser:
            # A row's owner is whoever makes it: no one writes as another learner.
            field.queryset = field.queryset.filter(pk=request.user.pk)
            return field
        return self._own_choices(field, db_field, request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return self._own_choices(field, db_field, request)
