"""The learner's journal as a zip of Markdown files, and importing such a zip back."""

import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from roadmap.models import Roadmap

from .exports import (
    MAX_ARCHIVE_BYTES,
    ImportRefused,
    export_filename,
    journal_export_zip,
    journal_import,
    read_journal_zip,
)


@login_required
@require_safe
@never_cache
def journal_export(request):
    """Every post of the learner's, drafts included, with the images they show."""
    # In memory while small, on disk past that; the response closes it once it is sent.
    archive = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    journal_export_zip(
        author=request.user, base_url=request.build_absolute_uri("/"), target=archive
    )
    archive.seek(0)
    return FileResponse(
        archive,
        as_attachment=True,
        filename=export_filename(request.user),
        content_type="application/zip",
    )


class JournalImportForm(forms.Form):
    file = forms.FileField(
        label="Journal archive",
        help_text="A .zip file from “Download your journal” or manage.py export_journal.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    roadmap = forms.ModelChoiceField(
        queryset=Roadmap.objects.none(),
        required=False,
        empty_label="The roadmap each post names",
        label="Tie the posts to",
        help_text="Milestones and topics are found by their keys in that roadmap.",
    )
    as_copy = forms.BooleanField(
        label="Import as copies where a post's address is taken",
        required=False,
        help_text="Without this, an archive holding a post that is on this site already is "
        "refused, never merged.",
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roadmap"].queryset = Roadmap.objects.filter(owner=owner).order_by("title")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ARCHIVE_BYTES:
            raise forms.ValidationError(
                f"The archive is larger than {MAX_ARCHIVE_BYTES // 2**20} MB, the most allowed."
            )
        return upload


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def journal_import_view(request):
    """The journal's export page: download the archive, or import one back."""
    form = JournalImportForm(request.POST or None, request.FILES or None, owner=request.user)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                posts = journal_import(
                    document=read_journal_zip(form.cleaned_data["file"]),
                    author=request.user,
                    as_copy=form.cleaned_data["as_copy"],
                    roadmap=form.cleaned_data["roadmap"],
                )
            except ImportRefused as refused:
                problems = refused.errors
            else:
                messages.success(
                    request, f"Imported {len(posts)} post{'' if len(posts) == 1 else 's'}."
                )
                return redirect("journal:list")
        status = 400
    return TemplateResponse(
        request,
        "journal/post_import.html",
        {"form": form, "problems": problems},
        status=status,
    )
