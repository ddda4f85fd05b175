from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from markdownx.widgets import MarkdownxWidget

from roadmap.models import Milestone, Roadmap, Topic

from .models import RESERVED_SLUGS, Post, validate_schedule_time

WEEKLY_PROMPTS = ["Wins", "Struggles", "Confusion", "Breakthroughs"]


def weekly_log_start(roadmap: Roadmap, today) -> dict[str, str]:
    """What a new weekly log starts from: the week since the roadmap began, and the prompts.

    "Week 3" is the third week of one roadmap: its address names the roadmap, so the weeks of
    another roadmap or another learner's never take it.
    """
    week = max(1, (today - roadmap.started_on).days // 7 + 1)
    return {
        "title": f"Week {week}",
        "slug": Post.objects.free_slug(f"{roadmap.slug} week {week}", max_length=100),
        "body": "\n\n".join(f"## {prompt}\n\n" for prompt in WEEKLY_PROMPTS).rstrip() + "\n",
    }


def quarterly_review_start(roadmap: Roadmap, quarter_text: str) -> tuple[str, str]:
    """A quarterly review post pre-filled with the quarter's numbers, to write around."""
    year, number = quarter_text.split("-Q")
    review = roadmap.quarter_review(int(year), int(number))
    numbers = review.numbers
    hours = f"{numbers.hours:f}".rstrip("0").rstrip(".")
    lines = [
        "## The numbers",
        "",
        f"- Milestones completed: {len(review.completed)} ({hours} h of estimated work)",
        f"- Milestones started: {len(review.started)}",
    ]
    if numbers.planned is not None:
        lines.append(
            f"- Against the plan: {review.completed_required} required completed, "
            f"{numbers.planned:.0f} planned"
        )
    kinds = ", ".join(f"{count} {label.lower()}" for label, count in review.posts_by_kind.items())
    lines.append(f"- Posts published: {review.posts_total}" + (f" ({kinds})" if kinds else ""))
    moved = ", ".join(f"{title} ({count})" for title, count in review.stages_moved.items())
    lines.append(f"- Stages that moved: {moved or 'none'}")
    if review.stalled:
        lines.append("- Stalled: " + ", ".join(m.title for m in review.stalled))
    for heading in ["What went well", "What did not", "Is the plan working?", "Next quarter"]:
        lines += ["", f"## {heading}", ""]
    return f"{quarter_text} review", "\n".join(lines) + "\n"


# The largest key a database column holds; SQLite raises, not refuses, past it.
LARGEST_KEY = 2**63 - 1


def _out_of_range(value) -> bool:
    digits = str(value).strip().lstrip("-")
    # isdigit() alone admits "¹" and other digits that int() refuses.
    return digits.isascii() and digits.isdigit() and int(digits) > LARGEST_KEY


class KeyModelChoiceField(forms.ModelChoiceField):
    """A choice of one row by its key, where a key too large for any row is simply not one."""

    def to_python(self, value):
        if _out_of_range(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class PlacedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Rows of one roadmap to choose from, grouped under their place in it (stage and topic).

    `offer()` sets the rows shown; any row of the queryset may be sent, so one from another
    of the learner's roadmaps reaches the form's own check and its clear message.
    """

    def __init__(self, *args, place, **kwargs):
        self.place = place
        super().__init__(*args, **kwargs)

    def offer(self, rows) -> None:
        groups: dict[str, list] = {}
        for row in rows:
            groups.setdefault(self.place(row), []).append((row.pk, self.label_from_instance(row)))
        self.widget.choices = list(groups.items())

    def _check_values(self, value):
        for item in value:
            if _out_of_range(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(item)[:40]},
                )
        return super()._check_values(value)


class PostForm(forms.ModelForm):
    ACTIONS = {"draft", "publish", "schedule"}
    # The fields of the post's own words, shown in this order between the roadmap and its ties.
    WRITTEN = ["title", "slug", "kind", "body", "summary"]

    publish_at = forms.DateTimeField(
        required=False,
        label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Only for “Schedule”: the post appears by itself at this time.",
    )
    milestones = PlacedMultipleChoiceField(
        queryset=Milestone.objects.none(),
        required=False,
        place=lambda m: f"{m.topic.stage.title} › {m.topic.title}",
        help_text="The milestones of this roadmap that the post is about.",
        widget=forms.SelectMultiple(attrs={"size": 12, "data-picker": "milestone"}),
    )
    topics = PlacedMultipleChoiceField(
        queryset=Topic.objects.none(),
        required=False,
        place=lambda t: t.stage.title,
        help_text="The topics of this roadmap that the post is about.",
        widget=forms.SelectMultiple(attrs={"size": 8, "data-picker": "topic"}),
    )

    class Meta:
        model = Post
        fields = ["roadmap", "title", "slug", "kind", "body", "summary", "milestones", "topics"]
        field_classes = {"roadmap": KeyModelChoiceField}
        widgets = {
            "body": MarkdownxWidget(attrs={"rows": 18}),
            "summary": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"slug": "Address", "body": "Text (Markdown)"}
        help_texts = {
            "slug": "Left empty, it is made from the title: /journal/<address>/.",
            "body": "Markdown with code, tables, footnotes, [TOC], and math as $...$ or $$...$$. "
            "Drop an image (PNG, JPEG or WebP, at most 5 MB) into the text to upload it.",
        }

    def __init__(self, *args, user, roadmap: Roadmap, **kwargs):
        """`roadmap` is the one chosen: its milestones and topics are those offered."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["roadmap"].queryset = Roadmap.objects.filter(owner=user).order_by("pk")
        self.fields["roadmap"].empty_label = None
        # Read once: a select reads its choices again to decide whether it may be required.
        # (Through iter(), as list() of the choices would count them first, in a query.)
        self.fields["roadmap"].widget.choices = list(iter(self.fields["roadmap"].choices))
        self.fields[
            "roadmap"
        ].help_text = "The milestones and topics below are those of the roadmap chosen here."
        self.fields["slug"].required = False
        milestones, topics = self.fields["milestones"], self.fields["topics"]
        milestones.queryset = Milestone.objects.filter(roadmap__owner=user)
        milestones.offer(roadmap.milestones.select_related("topic__stage").in_roadmap_order())
        topics.queryset = Topic.objects.filter(roadmap__owner=user)
        topics.offer(roadmap.topics.select_related("stage").order_by("stage__position", "position"))
        if self.instance.pk and self.instance.is_scheduled:
            self.initial.setdefault("publish_at", timezone.localtime(self.instance.published_at))

    def made_slug(self) -> str:
        """The address made from the title: the first free one, never a site page's
        ("Feed" gives feed-2, as feed is the journal's own).

        No error is ever shown beside an address the learner left empty: a title with no
        letters for an address (or none yet, which the title's own error reports) gives
        "post", "post-2"...
        """
        title = slugify(self.data.get("title", ""))[:90] or "post"
        return Post.objects.exclude(pk=self.instance.pk).free_slug(
            title, max_length=100, avoid=RESERVED_SLUGS
        )

    def clean_slug(self):
        typed = self.cleaned_data.get("slug")
        if not typed:
            return self.made_slug()
        if typed in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{typed}” is reserved for the site: choose another.")
        if Post.objects.address_taken(typed, post=self.instance):
            # The same words whoever's post it is, published or not, renamed or deleted.
            raise forms.ValidationError(
                f"The address “{typed}” is in use: choose another, or leave it empty "
                "to have one made from the title."
            )
        return typed

    def clean(self):
        cleaned = super().clean()
        roadmap = cleaned.get("roadmap")
        if roadmap:
            for name in ("milestones", "topics"):
                strays = [item for item in cleaned.get(name) or [] if item.roadmap_id != roadmap.pk]
                if strays:
                    titles = ", ".join(f"“{item.title}”" for item in strays)
                    self.add_error(
                        name,
                        f"{titles} {'is' if len(strays) == 1 else 'are'} not on the roadmap "
                        f"“{roadmap}”: choose {name} of “{roadmap}”, or another roadmap above.",
                    )
        action = self.data.get("action", "draft")
        if action not in self.ACTIONS:
            raise forms.ValidationError("Choose Save draft, Publish or Schedule.")
        if action == "schedule":
            at = cleaned.get("publish_at")
            if at is None:
                self.add_error("publish_at", "Give the date and time to publish at.")
            else:
                try:
                    validate_schedule_time(at)
                except forms.ValidationError as error:
                    self.add_error("publish_at", error)
        self.action = action
        return cleaned

    def save(self, commit=True):
        """Save; a new address goes through Post.move_to, so the old one redirects."""
        post = super().save(commit=False)
        post.author = self.user
        if self.action == "draft":
            post.unpublish()
        elif self.action == "schedule":
            post.schedule(self.cleaned_data["publish_at"])
        else:
            post.publish()
        if commit:
            address = post.slug
            if post.pk:
                post.slug = self.initial["slug"]
            with transaction.atomic():
                post.save()
                post.move_to(address)
                self.save_m2m()
        return post


class ReflectionForm(forms.Form):
    """The short reflection offered when a milestone is done; it becomes a post."""

    learnt = forms.CharField(
        label="What I learnt", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    hard = forms.CharField(
        label="What was hard",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    evidence_url = forms.URLField(
        label="Evidence link",
        required=False,
        max_length=500,
        help_text="A commit, notebook or repository folder that shows the work.",
        error_messages={"invalid": "Enter a full web address starting with https://."},
    )

    def body(self) -> str:
        data = self.cleaned_data
        parts = [f"## What I learnt\n\n{data['learnt'].strip()}"]
        if data.get("hard", "").strip():
            parts.append(f"## What was hard\n\n{data['hard'].strip()}")
        if data.get("evidence_url"):
            parts.append(f"## Evidence\n\n<{data['evidence_url']}>")
        return "\n\n".join(parts) + "\n"
