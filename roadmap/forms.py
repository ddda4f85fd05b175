from zoneinfo import available_timezones

from django import forms

from .models import Milestone, Roadmap, RoadmapAddress


class MilestoneNotesForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["evidence_url", "private_note"]
        widgets = {
            "evidence_url": forms.URLInput(
                attrs={"placeholder": "https://github.com/you/ml-notes/tree/main/pca"}
            ),
            "private_note": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "evidence_url": {
                "invalid": "Enter a full web address starting with https://, "
                "for example a link to a commit or a notebook."
            }
        }


# Addresses under /roadmaps/ that the site itself uses.
RESERVED_SLUGS = {"new", "curricula"}


class RoadmapFieldsForm(forms.ModelForm):
    """What starting a roadmap and changing its settings share: the zone, the address, dates."""

    time_zone = forms.ChoiceField(
        choices=[(name, name) for name in sorted(available_timezones())],
        help_text="Days and weeks of your progress are counted in this zone.",
    )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{slug}” is reserved for the site: choose another.")
        old = RoadmapAddress.objects.filter(slug=slug)
        if self.instance.pk:
            old = old.exclude(roadmap=self.instance)
        if old.exists():
            # A renamed roadmap's old address leads to it: no other roadmap may take it.
            raise forms.ValidationError("That address is in use: choose another.")
        return slug

    def clean(self):
        cleaned = super().clean()
        start, target = cleaned.get("started_on"), cleaned.get("target_date")
        if start and target and target < start:
            self.add_error(
                "target_date",
                "The target date is before the start date: pick a later one, or leave it empty.",
            )
        return cleaned


class NewRoadmapForm(RoadmapFieldsForm):
    """Start a roadmap from one of the curricula in the curricula folder."""

    curriculum = forms.ChoiceField(widget=forms.RadioSelect)

    class Meta:
        model = Roadmap
        fields = [
            "curriculum",
            "title",
            "slug",
            "started_on",
            "target_date",
            "time_zone",
            "visibility",
        ]
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
            "visibility": forms.RadioSelect,
        }
        labels = {"slug": "Address", "started_on": "Start date"}
        help_texts = {
            "slug": "Lowercase letters, digits and hyphens: /roadmaps/<address>/.",
            "target_date": "Optional: when you mean to finish. Pace is measured against it.",
        }
        error_messages = {
            "slug": {"unique": "That address is taken: choose another, e.g. add your name."},
        }

    def __init__(self, *args, curricula, **kwargs):
        super().__init__(*args, **kwargs)
        self.curricula = {entry.name: entry.spec for entry in curricula if entry.spec}
        self.fields["curriculum"].choices = [
            (name, spec.title) for name, spec in self.curricula.items()
        ]

    @property
    def spec(self):
        return self.curricula[self.cleaned_data["curriculum"]]


class RoadmapSettingsForm(RoadmapFieldsForm):
    """A roadmap's own settings, which its owner changes at any time."""

    class Meta:
        model = Roadmap
        fields = [
            "title",
            "slug",
            "summary",
            "visibility",
            "started_on",
            "target_date",
            "time_zone",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "started_on": forms.DateInput(attrs={"type": "date"}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
            "visibility": forms.RadioSelect,
        }
        labels = {"slug": "Address", "started_on": "Start date"}
        help_texts = {
            "slug": "/roadmaps/<address>/. Links to the old address keep working.",
            "target_date": "Optional: when you mean to finish. Pace is measured against it.",
        }
        error_messages = {"slug": {"unique": "That address is in use: choose another."}}

    def save(self, commit=True):
        """Save; a new address goes through Roadmap.move_to, so the old one redirects."""
        new_slug = self.cleaned_data["slug"]
        roadmap = super().save(commit=False)
        roadmap.slug = self.initial.get("slug", roadmap.slug)
        roadmap.save()
        roadmap.move_to(new_slug)
        return roadmap
