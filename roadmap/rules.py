"""The rules every count, chart and review shares, each defined once.

Plain Python over plain values: the models, the statistics and the templates all use them.
"""

from datetime import datetime, timedelta

from django.db import models


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"


# The statuses as plain text, for the comparisons a page makes thousands of times: a member
# of Status is looked up through the enum's machinery on every use, five times slower.
NOT_STARTED = Status.NOT_STARTED.value
IN_PROGRESS = Status.IN_PROGRESS.value
DONE = Status.DONE.value
SKIPPED = Status.SKIPPED.value

STALLED_AFTER = timedelta(weeks=4)


def is_counted(*, optional: bool, status: str) -> bool:
    """Percent complete is taken over required milestones that were not skipped."""
    return not optional and status != SKIPPED


def is_start(*, from_status: str, to_status: str) -> bool:
    """A change that starts work on a milestone: from not started to in progress."""
    return from_status == NOT_STARTED and to_status == IN_PROGRESS


def is_stalled(*, status: str, started_at: datetime | None, at: datetime) -> bool:
    """In progress for longer than STALLED_AFTER at the moment `at`."""
    return status == IN_PROGRESS and started_at is not None and at - started_at > STALLED_AFTER
