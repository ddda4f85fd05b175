from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from roadmap.exports import roadmap_export_json
from roadmap.models import Roadmap


class Command(BaseCommand):
    help = (
        "Write one learner's roadmap, with its progress, evidence, private notes and event log, "
        "as JSON (docs/export-format.md): to standard output, or to FILE with -o."
    )

    def add_arguments(self, parser):
        parser.add_argument("owner", metavar="USERNAME", help="The roadmap's owner.")
        parser.add_argument("slug", metavar="ROADMAP", help="The roadmap's address (its slug).")
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="A new file to write instead of the screen."
        )

    def handle(self, *args, owner, slug, output=None, **options):
        user = get_user_model().objects.filter(username=owner).first()
        roadmap = user and Roadmap.objects.filter(owner=user, slug=slug).first()
        if roadmap is None:
            raise CommandError(f"{owner} has no roadmap at {slug!r}. Nothing was written.")
        text = roadmap_export_json(roadmap)
        if output is None:
            self.stdout.write(text, ending="")
            return
        target = Path(output)
        if target.exists():
            raise CommandError(f"{target} exists already; choose another name.")
        partial = target.with_name(f".{target.name}.partial")
        try:
            partial.write_text(text, encoding="utf-8")
            partial.replace(target)
        except OSError as exc:
            raise CommandError(f"{target} could not be written: {exc}.") from exc
        finally:
            partial.unlink(missing_ok=True)
        self.stderr.write(self.style.SUCCESS(f"Exported “{roadmap.title}” to {target}."))
