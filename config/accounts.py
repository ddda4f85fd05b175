"""A learner's own account: its email address and password, changed in the browser."""

import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from config.login import client_ip

# Reset emails asked for in an hour, per address typed and per client address: enough for
# anyone who lost a password, too few to fill someone's inbox. Counted in the shared cache
# (Redis where several app servers run; see REDIS_URL).
RESETS_PER_EMAIL = 3
RESETS_PER_CLIENT = 10
RESET_WINDOW = 60 * 60


class EmailForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["email"]
        labels = {"email": "Email address"}
        help_texts = {"email": "Where a link to choose a new password goes if you forget it."}

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        users = get_user_model().objects.exclude(pk=self.instance.pk)
        if email and users.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "Another account uses that address: give one that is yours alone."
            )
        return email


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account(request):
    form = EmailForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Saved your email address.")
            return redirect("account")
        status = 400
    else:
        status = 200
    return TemplateResponse(request, "registration/account.html", {"form": form}, status=status)


def _over_limit(key: str, limit: int) -> bool:
    cache.add(key, 0, RESET_WINDOW)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr: this is the first in a new window
        cache.add(key, 1, RESET_WINDOW)
        return False


class LimitedPasswordResetView(PasswordResetView):
    """Django's reset, which never says whether an address has an account, with a limit
    that does not say so either: it counts what was typed, known or not."""

    def post(self, request, *args, **kwargs):
        typed = request.POST.get("email", "").strip().lower()
        digest = hashlib.sha256(typed.encode()).hexdigest()[:32]
        # Both counts move on every request, so neither limit can be used to probe the other.
        by_email = _over_limit(f"reset:email:{digest}", RESETS_PER_EMAIL)
        by_client = _over_limit(f"reset:client:{client_ip(request)}", RESETS_PER_CLIENT)
        if by_email or by_client:
            form = self.get_form_class()(request.POST)
            context = self.get_context_data(form=form, too_many=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)
