from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from journal.exports import ImportRefused, journal_import, read_journal_zip
from roadmap.models import Roadmap


class Command(BaseCommand):
    help = (
        "Import the posts of a journal archive that export_journal (or the Download your "
        "journal link) wrote, as USERNAME's, with their images. The archive is checked whole "
        "first; a post whose address is taken refuses it all, unless --as-copy."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The .zip archive.")
        parser.add_argument("--owner", required=True, metavar="USERNAME", help="Whose posts.")
        parser.add_argument(
            "--as-copy",
            action="store_true",
            help="Give a post whose address is taken a free one, instead of refusing.",
        )
        parser.add_argument(
            "--roadmap",
            metavar="ROADMAP",
            help="Tie every post to this roadmap of the owner's (by its address) instead of "
            "the one each post names.",
        )

    def handle(self, *args, file, owner, as_copy=False, roadmap=None, **options):
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"There is no learner {owner!r}. Nothing was imported.")
        target = None
        if roadmap:
            target = Roadmap.objects.filter(owner=user, slug=roadmap).first()
            if target is None:
                raise CommandError(f"{owner} has no roadmap at {roadmap!r}. Nothing was imported.")
        source = Path(file)
        try:
            with source.open("rb") as archive:
                document = read_journal_zip(archive)
                posts = journal_import(
                    document=document, author=user, as_copy=as_copy, roadmap=target
                )
        except OSError as exc:
            raise CommandError(f"{source} cannot be read: {exc}. Nothing was imported.") from exc
        except ImportRefused as refused:
            problems = "\n".join(f"  {error}" for error in refused.errors)
            raise CommandError(
                f"{source} was not imported:\n{problems}\nNothing was imported."
            ) from refused
        images = len(document.images)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(posts)} post{'' if len(posts) == 1 else 's'} and {images} "
                f"image{'' if images == 1 else 's'} for {owner}."
            )
        )
