from datetime import date
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.db import transaction
from django.utils import timezone

from .models import Milestone, Resource, Result, Roadmap, RoadmapAddress, Stage, Topic
from .services import prerequisite_cycle
from .targets import number

# The same words whatever holds the address: anyone's roadmap (public or private), an old
# address of a renamed one, or a deleted one's. So they tell a learner nothing more. Only the
# learner whose deleted roadmap had an address may take it again, and they know it was theirs.
ADDRESS_IN_USE = "That address is in use: choose another, e.g. add your name."


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
        # A renamed roadmap's old address leads to it; a deleted one's stays out of use,
        # but for the learner whose roadmap it was.
        if RoadmapAddress.objects.keeps(slug, owner=self.instance.owner_id, roadmap=self.instance):
            raise forms.ValidationError(ADDRESS_IN_USE)
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
    """Start a roadmap from one of the curricula in the curricula folder, or an empty one."""

    # The choice, beside the curricula's file names, of a roadmap with no stages yet.
    EMPTY = "empty"

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
            "slug": {"unique": ADDRESS_IN_USE},
        }

    def __init__(self, *args, curricula, owner, **kwargs):
        super().__init__(*args, **kwargs)
        # Whose roadmap it will be: an address of one of their deleted roadmaps is free to them.
        self.instance.owner = owner
        self.curricula = {entry.name: entry.spec for entry in curricula if entry.spec}
        self.fields["curriculum"].choices = [
            *((name, spec.title) for name, spec in self.curricula.items()),
            (self.EMPTY, "An empty roadmap"),
        ]

    @property
    def spec(self):
        """The curriculum chosen, or None for an empty roadmap."""
        return self.curricula.get(self.cleaned_data["curriculum"])


class ForkForm(RoadmapFieldsForm):
    """What a copy of another roadmap is called, where it lives and who sees it."""

    class Meta:
        model = Roadmap
        fields = ["title", "slug", "visibility", "time_zone"]
        widgets = {"visibility": forms.RadioSelect}
        labels = {"slug": "Address"}
        help_texts = {"slug": "Lowercase letters, digits and hyphens: /roadmaps/<address>/."}
        error_messages = {
            "slug": {"unique": ADDRESS_IN_USE},
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        # Whose copy it will be: an address of one of their deleted roadmaps is free to them.
        self.instance.owner = owner


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
            "show_hours",
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
        error_messages = {"slug": {"unique": ADDRESS_IN_USE}}

    def save(self, commit=True):
        """Save; a new address goes through Roadmap.move_to, so the old one redirects. An
        address the owner's deleted roadmap left is taken back: no longer kept for it."""
        new_slug = self.cleaned_data["slug"]
        roadmap = super().save(commit=False)
        roadmap.slug = self.initial.get("slug", roadmap.slug)
        with transaction.atomic():
            roadmap.save()
            RoadmapAddress.objects.filter(slug=new_slug).left_to(roadmap.owner_id).delete()
            roadmap.move_to(new_slug)
        return roadmap


class StudySessionForm(forms.Form):
    """Minutes studied on a day, added by hand or corrected: the same three fields."""

    # Longer than the timer's cap, for a day of study entered in one go; longer than a
    # waking day is a typing slip.
    MAX_MINUTES = 16 * 60

    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.IntegerField(
        min_value=1,
        max_value=MAX_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": "Enter at least 1 minute.",
            "max_value": f"Enter at most {MAX_MINUTES} minutes ({MAX_MINUTES // 60} hours) "
            "for one session: split a longer day into several.",
            "invalid": "Enter a whole number of minutes, such as 45.",
        },
    )
    note = forms.CharField(
        max_length=200, required=False, help_text="Optional: what you worked on."
    )

    def __init__(self, *args, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate(timezone=ZoneInfo(time_zone))
        self.fields["day"].widget.attrs["max"] = self.today.isoformat()

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > self.today:
            raise forms.ValidationError(
                f"That day has not come yet: pick {self.today:%-d %B %Y} or earlier."
            )
        if day < date(2000, 1, 1):
            raise forms.ValidationError("Pick a day from the year 2000 on.")
        return day


class MilestoneTargetForm(forms.ModelForm):
    """A reproduction's target, set or changed by its learner; all fields empty removes it."""

    class Meta:
        model = Milestone
        fields = ["target_metric", "target_direction", "target_value", "target_tolerance"]
        widgets = {
            "target_metric": forms.TextInput(attrs={"placeholder": "HellaSwag accuracy %"}),
            "target_value": forms.NumberInput(attrs={"step": "any"}),
            "target_tolerance": forms.NumberInput(attrs={"step": "any", "min": "0"}),
        }
        help_texts = {
            "target_metric": "What is measured, as the paper names it.",
            "target_tolerance": "How far off still counts as a hit; empty means 0.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As the learner wrote them: 29.5, not the 29.5000 they are stored as.
        for name in ("target_value", "target_tolerance"):
            value = getattr(self.instance, name)
            if value is not None:
                self.initial[name] = number(value)

    def clean(self):
        cleaned = super().clean()
        metric = cleaned.get("target_metric", "").strip()
        value, direction = cleaned.get("target_value"), cleaned.get("target_direction")
        tolerance = cleaned.get("target_tolerance")
        if self.errors:
            return cleaned
        if not (metric or value is not None or direction or tolerance is not None):
            return cleaned
        for name, given in [
            ("target_metric", metric),
            ("target_direction", direction),
            ("target_value", value is not None),
        ]:
            if not given:
                self.add_error(
                    name, "A target needs a metric, a direction and a value: fill this in too."
                )
        if tolerance is not None and tolerance < 0:
            self.add_error(
                "target_tolerance", "The tolerance is how far off still counts: 0 or more."
            )
        elif tolerance is None:
            cleaned["target_tolerance"] = 0
        cleaned["target_metric"] = metric
        return cleaned

    def save(self, commit=True):
        milestone = super().save(commit=False)
        if not milestone.target_metric:
            milestone.set_target(None)
        if commit:
            milestone.save(
                update_fields=[
                    "target_metric",
                    "target_direction",
                    "target_value",
                    "target_tolerance",
                ]
            )
        return milestone


class ResultForm(forms.ModelForm):
    """One attempt at a reproduction: the number it reached."""

    class Meta:
        model = Result
        fields = ["value", "measured_on", "evidence_url", "note"]
        widgets = {
            "value": forms.NumberInput(attrs={"step": "any"}),
            "measured_on": forms.DateInput(attrs={"type": "date"}),
            "evidence_url": forms.URLInput(
                attrs={"placeholder": "https://github.com/you/ml-notes/commit/…"}
            ),
        }
        labels = {"value": "Result"}
        help_texts = {"note": "Shown with the result on the public Reproductions page."}
        error_messages = {
            "value": {
                "required": "Enter the number the run reached, such as 30.4.",
                "invalid": "Enter a number, such as 30.4 or 0.95.",
            },
            "evidence_url": {
                "invalid": "Enter a full web address starting with https://, "
                "for example a link to the run's commit or notebook."
            },
        }


# --- Shaping the plan -----------------------------------------------------------------------

TITLE_ERRORS = {
    "required": "Give it a title: a few words that say what it is.",
    "max_length": "Keep the title to %(limit_value)d characters (it has %(show_value)d).",
}
HOURS_ERRORS = {
    "invalid": "Enter the hours as a number, such as 2 or 1.5.",
    "min_value": "Hours cannot be negative: enter 0 or more.",
    "max_digits": "Enter at most 99,999.9 hours.",
    "max_decimal_places": "Enter hours to one decimal place at most, such as 1.5.",
    "max_whole_digits": "Enter at most 99,999.9 hours.",
}


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"title": TITLE_ERRORS}


class TopicForm(forms.ModelForm):
    """A topic's words, its stage and prerequisites (checked for cycles); its resources are
    the ResourceFormSet beside it."""

    class Meta:
        model = Topic
        fields = ["title", "summary", "stage", "prerequisites"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "prerequisites": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "prerequisites": "Topics that help to know first. Advisory: nothing is ever locked.",
        }
        error_messages = {"title": TITLE_ERRORS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roadmap = self.instance.roadmap
        self.fields["stage"].queryset = roadmap.stages.order_by("position", "pk")
        self.fields["stage"].empty_label = None
        self.fields["prerequisites"].queryset = roadmap.topics.exclude(
            pk=self.instance.pk
        ).order_by("stage__position", "position", "pk")

    def clean_prerequisites(self):
        prerequisites = list(self.cleaned_data["prerequisites"])
        cycle = prerequisite_cycle(self.instance, prerequisites)
        if cycle:
            raise forms.ValidationError(
                "That would make a cycle: "
                + " needs ".join(f"“{topic.title}”" for topic in cycle)
                + ". Untick one of them."
            )
        return prerequisites


class ResourceForm(forms.Form):
    type = forms.ChoiceField(choices=Resource.Type.choices)
    title = forms.CharField(max_length=300, error_messages=TITLE_ERRORS)
    url = forms.URLField(
        label="Address",
        max_length=500,
        assume_scheme="https",
        error_messages={
            "required": "Give the resource's address, starting with https://.",
            "invalid": "Enter a full web address starting with https://.",
        },
    )


ResourceFormSet = forms.formset_factory(ResourceForm, extra=1, can_delete=True, max_num=50)


class MilestonePlanForm(forms.ModelForm):
    """What a milestone is (never where the learner stands on it): its words, kind, hours,
    whether it is optional, and its topic."""

    class Meta:
        model = Milestone
        fields = ["title", "description", "kind", "estimated_hours", "optional", "topic"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "estimated_hours": forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
        }
        labels = {"optional": "Optional: not counted in the percent complete"}
        error_messages = {"title": TITLE_ERRORS, "estimated_hours": HOURS_ERRORS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        topics = self.instance.roadmap.topics.select_related("stage")
        self.fields["topic"].queryset = topics.order_by("stage__position", "position", "pk")
        self.fields["topic"].empty_label = None
        self.fields["estimated_hours"].min_value = 0


class AddForm(forms.Form):
    """A new stage, topic or milestone: its title, and for a milestone its kind and hours."""

    title = forms.CharField(max_length=200, error_messages=TITLE_ERRORS)


class MilestoneAddForm(AddForm):
    title = forms.CharField(max_length=300, error_messages=TITLE_ERRORS)
    kind = forms.ChoiceField(choices=Milestone.Kind.choices, initial=Milestone.Kind.LEARN)
    estimated_hours = forms.DecimalField(
        label="Hours",
        min_value=0,
        max_digits=6,
        decimal_places=1,
        initial=0,
        error_messages=HOURS_ERRORS,
    )


class MoveForm(forms.Form):
    """Where to move an item: one place up or down, or to a place (from 1), in its own stage
    or topic or in the one named by `parent`."""

    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")], required=False)
    place = forms.IntegerField(min_value=1, required=False)
    parent = forms.SlugField(max_length=60, required=False)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("direction") and cleaned.get("place") is None:
            raise forms.ValidationError("Say where to move it: up, down, or a place from 1.")
        return cleaned
