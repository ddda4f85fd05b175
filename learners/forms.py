from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from .models import Invitation, Profile


class SignUpForm(UserCreationForm):
    """A new learner: username, email and a password that Django's validators accept."""

    email = forms.EmailField(
        label="Email address",
        help_text="Where a link to choose a new password goes if you forget it.",
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "email"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account already uses that address: log in, or ask for a new password "
                "from the login page."
            )
        return email


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["note", "max_uses", "expires_at"]
        widgets = {"expires_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}


def _https_only(value: str) -> None:
    if value and not value.lower().startswith(("https://", "http://")):
        raise forms.ValidationError("Give a web address starting with https:// or http://.")


class ProfileForm(forms.ModelForm):
    picture = forms.FileField(
        required=False,
        label="Picture",
        help_text="A PNG, JPEG or WebP image, at most 5 MB; it is shown on your profile.",
    )

    class Meta:
        model = Profile
        fields = ["display_name", "bio", "website", "github", "mastodon", "linkedin", "is_private"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    def clean(self):
        cleaned = super().clean()
        for name in ("website", "github", "mastodon", "linkedin"):
            try:
                _https_only(cleaned.get(name, ""))
            except forms.ValidationError as error:
                self.add_error(name, error)
        return cleaned
