"""A learner's own account: its email address and password, changed in the browser."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetView
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from config.login import client_ip
from learners.services import attempt_allowed

# Reset emails asked for in an hour, per address typed and per client address: enough for
# anyone who lost a password, too few to fill someone's inbox. Counted in the database.
RESETS_PER_EMAIL = 3
RESETS_PER_CLIENT = 10
RESET_WINDOW = timedelta(hours=1)


class EmailForm(forms.ModelForm):
    # The address is where a new password can be sent: whoever changes it must know this one.
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput,
        help_text="To change the address, confirm it is you.",
    )

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

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.instance.check_password(password):
            raise forms.ValidationError("That is not your password: type it again.")
        return password


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


class LimitedPasswordResetView(PasswordResetView):
    """Django's reset, which never says whether an address has an account, with a limit
    that does not say so either: it counts what was typed, known or not."""

    def post(self, request, *args, **kwargs):
        typed = request.POST.get("email", "").strip().lower()
        # Both counts move on every request, so neither limit can be used to probe the other.
        by_email = attempt_allowed(
            kind="reset-email", value=typed, limit=RESETS_PER_EMAIL, window=RESET_WINDOW
        )
        by_client = attempt_allowed(
            kind="reset-client",
            value=client_ip(request),
            limit=RESETS_PER_CLIENT,
            window=RESET_WINDOW,
        )
        if not (by_email and by_client):
            form = self.get_form_class()(request.POST)
            context = self.get_context_data(form=form, too_many=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)
