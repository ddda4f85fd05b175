"""What a milestone's Reproduction section shows: its results, each judged, and its evidence."""

from dataclasses import dataclass

from ..forms import MilestoneTargetForm, ResultForm
from ..models import Milestone, Result, Roadmap
from ..stats import Quarter
from ..targets import Verdict, best_result, verdict


@dataclass
class Attempt:
    """A result with the verdict it alone would get against its milestone's target."""

    result: Result
    verdict: Verdict
    is_best: bool = False


def attempts(milestone: Milestone, results: list[Result]) -> tuple[list[Attempt], Verdict]:
    """Every result of `milestone` with its own verdict, and the milestone's verdict."""
    target = milestone.target
    best = best_result(target, results)
    rows = [Attempt(result=r, verdict=verdict(target, [r]), is_best=r is best) for r in results]
    return rows, verdict(target, results)


def reproduction_context(milestone: Milestone, *, is_owner: bool, **forms) -> dict:
    """What the milestone page's Reproduction section shows, in two queries."""
    rows, overall = attempts(milestone, list(milestone.results.all()))
    context = {
        "attempts": rows,
        "verdict": overall,
        "evidence_list": list(milestone.evidence.all()),
        "target_form": None,
        "result_form": None,
    }
    if is_owner:
        context["target_form"] = forms.get("target_form") or MilestoneTargetForm(
            instance=milestone, prefix="target"
        )
        context["result_form"] = forms.get("result_form") or ResultForm(prefix="result")
    return context


def quarter_results(roadmap: Roadmap, quarter: Quarter) -> list[tuple[Result, Verdict]]:
    """The results measured in `quarter`, oldest first, each with its verdict, in one query."""
    results = (
        Result.objects.filter(
            milestone__roadmap=roadmap,
            measured_on__gte=quarter.start,
            measured_on__lt=quarter.end,
        )
        .select_related("milestone")
        .order_by("measured_on", "pk")
    )
    return [(result, result.verdict) for result in results]
