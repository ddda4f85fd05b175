"""What progress a page shows, said by its view so the page cache can keep the page through
any other progress (config/cache.py).

Progress is what a learner's work changes without changing the plan or the journal: a
milestone's status with its event, and study time (the services counted with
`SiteVersion.objects.counted_once(progress=True)`). A page that shows none of it, or only a
part a view can name in a query, need not be rendered again when the rest moves.
"""


def shows_progress(of):
    """Marks a view whose pages show no progress but what `of(request, *args, **kwargs)`,
    given the view's arguments, returns as text without rendering the page ("" for none).
    Its pages are kept under that too, and outlive any other progress."""

    def mark(view):
        view.progress_shown = of
        return view

    return mark


def no_progress(request, *args, **kwargs) -> str:
    """For a view whose pages show no progress at all."""
    return ""
