from django.contrib import admin

from config.admin import OwnRowsOnly

from .models import Invitation, Profile


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are the site's, not a learner's: every staff account manages them."""

    list_display = ["__str__", "max_uses", "expires_at", "revoked_at", "created_by"]
    readonly_fields = ["token", "created_at", "created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Profile)
class ProfileAdmin(OwnRowsOnly, admin.ModelAdmin):
    owner_path = "user"
    list_display = ["__str__", "user", "is_private", "joined_at"]
