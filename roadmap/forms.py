from django import forms

from .models import Milestone


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
