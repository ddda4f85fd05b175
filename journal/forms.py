from django import forms
from django.utils import timezone
from django.utils.text import slugify
from markdownx.widgets import MarkdownxWidget

from roadmap.models import Milestone, Roadmap, Topic

from .models import RESERVED_SLUGS, Post, validate_schedule_time

WEEKLY_PROMPTS = ["Wins", "Struggles", "Confusion", "Breakthroughs"]


def weekly_log_start(roadmap: Roadmap, today) -> tuple[str, str]:
    """The title and body a new weekly log starts from: the week since the roadmap began."""
    week = max(1, (today - roadmap.started_on).days // 7 + 1)
    body = "\n\n".join(f"## {prompt}\n\n" for prompt in WEEKLY_PROMPTS).rstrip() + "\n"
    return f"Week {week}", body


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
    text = str(value).strip()
    return text.lstrip("-").isdigit() and abs(int(text)) > LARGEST_KEY


class KeyModelChoiceField(forms.ModelChoiceField):
    """A choice of one row by its key, where a key too large for any row is simply not one."""

    def to_python(self, value):
        if _out_of_range(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class GroupedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice whose options are grouped under a heading per group."""

    def __init__(self, *args, group_by, **kwargs):
        self.group_by = group_by
        super().__init__(*args, **kwargs)

    def _grouped(self):
        groups: dict[str, list] = {}
        for obj in self.queryset:
            groups.setdefault(self.group_by(obj), []).append(
                (obj.pk, self.label_from_instance(obj))
            )
        return list(groups.items())

    choices = property(_grouped, forms.ChoiceField.choices.fset)

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

    publish_at = forms.DateTimeField(
        required=False,
        label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Only for “Schedule”: the post appears by itself at this time.",
    )
    milestones = GroupedModelMultipleChoiceField(
        queryset=Milestone.objects.none(),
        required=False,
        group_by=lambda m: m.topic.title,
        help_text="The milestones this post is about. Hold Ctrl (⌘ on a Mac) to pick several.",
    )
    topics = GroupedModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        required=False,
        group_by=lambda t: t.stage.title,
        help_text="The topics this post is about.",
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        roadmaps = Roadmap.objects.filter(owner=user)
        self.fields["roadmap"].queryset = roadmaps
        self.fields["roadmap"].empty_label = None
        self.fields["slug"].required = False
        self.fields["milestones"].queryset = (
            Milestone.objects.filter(roadmap__owner=user).select_related("topic").in_roadmap_order()
        )
        self.fields["topics"].queryset = Topic.objects.filter(roadmap__owner=user).select_related(
            "stage"
        )
        if self.instance.pk and self.instance.is_scheduled:
            self.initial.setdefault("publish_at", timezone.localtime(self.instance.published_at))

    def clean_slug(self):
        typed = self.cleaned_data.get("slug")
        others = Post.objects.exclude(pk=self.instance.pk)
        if not typed:
            # Made from the title, the address is simply the first free one: no error is
            # ever shown beside a field the learner left empty.
            title = slugify(self.data.get("title", ""))[:90]
            if not title:
                raise forms.ValidationError("Give the post a title or an address.")
            slug = others.free_slug(title, max_length=100)
            if slug in RESERVED_SLUGS:
                slug = others.free_slug(f"{title}-post", max_length=100)
            return slug
        if typed in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{typed}” is reserved for the site: choose another.")
        if others.filter(slug=typed).exists():
            # The same words whoever's post it is, published or not.
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
                if any(item.roadmap_id != roadmap.pk for item in cleaned.get(name) or []):
                    self.add_error(name, f"Choose {name} from the roadmap “{roadmap}” only.")
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
        post = super().save(commit=False)
        post.author = self.user
        if self.action == "draft":
            post.unpublish()
        elif self.action == "schedule":
            post.schedule(self.cleaned_data["publish_at"])
        else:
            post.publish()
        if commit:
            post.save()
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
