"""A roadmap's export, by its owner only, and importing one as a new roadmap."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from ..exports import (
    CONTENT_TYPE,
    MAX_BYTES,
    ImportRefused,
    export_filename,
    parse_roadmap_export,
    roadmap_export_json,
    roadmap_import,
)
from ..models import Roadmap


@require_safe
@never_cache
def roadmap_export(request, roadmap):
    """The roadmap as JSON, private notes included: for its owner, and a 404 for anyone else."""
    if not request.user.is_authenticated:
        raise Http404("No such roadmap")
    roadmap = get_object_or_404(Roadmap, slug=roadmap, owner=request.user)
    response = HttpResponse(roadmap_export_json(roadmap), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(roadmap)}"'
    return response


class RoadmapImportForm(forms.Form):
    file = forms.FileField(
        label="Export file",
        help_text="A .json file from a roadmap's Export link or manage.py export_roadmap.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    as_copy = forms.BooleanField(
        label="Import as a copy if its address is taken",
        required=False,
        help_text="The copy gets a free address and “(copy)” after its title. Without this, "
        "a file whose roadmap is on this site already is refused, never merged.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_BYTES // 2**20} MB, which no roadmap export is."
            )
        return upload


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def roadmap_import_view(request):
    form = RoadmapImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                document = parse_roadmap_export(form.cleaned_data["file"].read(MAX_BYTES + 1))
                roadmap = roadmap_import(
                    document=document, owner=request.user, as_copy=form.cleaned_data["as_copy"]
                )
            except ImportRefused as refused:
                problems = refused.errors
            else:
                messages.success(request, f"Imported “{roadmap.title}”.")
                return redirect(roadmap)
        status = 400
    return TemplateResponse(
        request,
        "roadmap/roadmap_import.html",
        {"form": form, "problems": problems},
        status=status,
    )
