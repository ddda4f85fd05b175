from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from journal.exports import default_base_url, export_filename, journal_export_zip


class Command(BaseCommand):
    help = (
        "Write every post of one learner's, drafts included, as Markdown files with front "
        "matter, and the images they show, to one .zip (docs/export-format.md): "
        "<username>-journal-<date>.zip here, or FILE with -o."
    )

    def add_arguments(self, parser):
        parser.add_argument("author", metavar="USERNAME", help="Whose journal.")
        parser.add_argument("-o", "--output", metavar="FILE", help="A new .zip file to write.")
        parser.add_argument(
            "--base-url",
            metavar="URL",
            help="The site's address for the posts' canonical links, such as "
            "https://learn.example.org (default: from DJANGO_ALLOWED_HOSTS).",
        )

    def handle(self, *args, author, output=None, base_url=None, **options):
        user = get_user_model().objects.filter(username=author).first()
        if user is None:
            raise CommandError(f"There is no learner {author!r}. Nothing was written.")
        if base_url and not base_url.startswith(("http://", "https://")):
            raise CommandError(f"--base-url {base_url!r} must start with https:// or http://.")
        target = Path(output or export_filename(user))
        if target.exists():
            raise CommandError(f"{target} exists already; choose another name.")
        partial = target.with_name(f".{target.name}.partial")
        try:
            with partial.open("xb") as archive:
                summary = journal_export_zip(
                    author=user, base_url=base_url or default_base_url(), target=archive
                )
            partial.replace(target)
        except OSError as exc:
            raise CommandError(f"{target} could not be written: {exc}.") from exc
        finally:
            partial.unlink(missing_ok=True)
        posts, images = summary.posts, summary.images
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {posts} post{'' if posts == 1 else 's'} and {images} "
                f"image{'' if images == 1 else 's'} to {target}."
            )
        )
