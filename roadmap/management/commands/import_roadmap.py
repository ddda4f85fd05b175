from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from roadmap.exports import MAX_BYTES, ImportRefused, parse_roadmap_export, roadmap_import


class Command(BaseCommand):
    help = (
        "Import a roadmap that export_roadmap (or the roadmap's Export link) wrote, as a new "
        "roadmap of USERNAME's. The file is checked whole first; where its address is taken on "
        "this site nothing is imported, unless --as-copy gives it a free address."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The JSON export.")
        parser.add_argument("--owner", required=True, metavar="USERNAME", help="Who it is for.")
        parser.add_argument(
            "--as-copy",
            action="store_true",
            help="Where a roadmap has its address already, import it as a copy at a free one.",
        )

    def handle(self, *args, file, owner, as_copy=False, **options):
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"There is no learner {owner!r}. Nothing was imported.")
        source = Path(file)
        try:
            with source.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"{source} cannot be read: {exc}. Nothing was imported.") from exc
        try:
            roadmap = roadmap_import(
                document=parse_roadmap_export(raw), owner=user, as_copy=as_copy
            )
        except ImportRefused as refused:
            problems = "\n".join(f"  {error}" for error in refused.errors)
            raise CommandError(
                f"{source} was not imported:\n{problems}\nNothing was imported."
            ) from refused
        milestones = roadmap.milestones.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported “{roadmap.title}” at /roadmaps/{roadmap.slug}/ for {owner} "
                f"({milestones} milestone{'' if milestones == 1 else 's'}, "
                f"{roadmap.events.count()} events)."
            )
        )
