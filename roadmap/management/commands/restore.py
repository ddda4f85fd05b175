from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from roadmap import backups


class Command(BaseCommand):
    help = (
        "Put back the database and the uploaded files from an archive that manage.py backup "
        "wrote. The archive is checked whole first, and nothing is written if any of it is "
        "wrong. Stop the app before restoring: a running server keeps the old database open."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="The archive manage.py backup wrote.")
        parser.add_argument(
            "--yes",
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Restore without asking first (for scripts).",
        )

    def handle(self, *args, path, interactive=True, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"There is no archive at {source}. Nothing was changed.")
        database = self.site_database()
        if database is not None:
            database.parent.mkdir(parents=True, exist_ok=True)
        # Unpacked beside the database, so putting it in place is a rename on one file system.
        scratch_parent = database.parent if database is not None else None
        with TemporaryDirectory(dir=scratch_parent, prefix=".switchback-restore-") as scratch:
            try:
                archive = backups.unpack_archive(source, Path(scratch))
            except backups.BackupError as exc:
                raise CommandError(
                    f"{source} was not restored: {exc}. Nothing was changed."
                ) from exc
            if archive.database is not None and database is None:
                raise CommandError(
                    f"{source} holds a SQLite database, but this site's database is "
                    f"{connection.vendor}. Restore a pg_dump file with pg_restore (manage.py "
                    "backup prints the command). Nothing was changed."
                )
            self.describe(source, archive, database)
            if interactive and not self.confirmed():
                raise CommandError("Nothing was restored.")
            try:
                if archive.database is not None:
                    backups.replace_database(archive.database, database)
                replaced = backups.restore_media(archive, default_storage)
            except (backups.BackupError, OSError) as exc:
                raise CommandError(f"The restore did not finish: {exc}") from exc

        restored = "the database and " if archive.database is not None else ""
        uploads = backups.uploaded_files(len(archive.media))
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {restored}{uploads} ({replaced} replaced) from {source}. "
                "Start the app again."
            )
        )

    def site_database(self) -> Path | None:
        """The SQLite file a restore replaces; None when the site runs on another database."""
        if connection.vendor != "sqlite":
            return None
        if connection.is_in_memory_db():
            raise CommandError("The database is in memory: there is no file to restore into.")
        return Path(connection.settings_dict["NAME"]).resolve()

    def describe(self, source: Path, archive: backups.Archive, database: Path | None) -> None:
        self.stdout.write(f"Restoring {source}, taken {archive.created or 'at an unknown time'}:")
        if archive.database is None:
            self.stdout.write("  the database: left as it is (the archive holds none)")
        elif database.exists():
            now = database.stat()
            # Commits land in the write-ahead log first; the main file changes at checkpoints.
            log = Path(f"{database}-wal")
            written = max(now.st_mtime, log.stat().st_mtime if log.exists() else 0)
            changed = datetime.fromtimestamp(written, UTC)
            self.stdout.write(
                f"  the database {database} ({backups.human_size(now.st_size)}, last written "
                f"{changed:%Y-%m-%d %H:%M} UTC) is replaced by the archive's "
                f"({backups.human_size(archive.database.stat().st_size)})"
            )
        else:
            self.stdout.write(f"  the database {database} is created from the archive's")
        present = sum(1 for name in archive.media if default_storage.exists(name))
        replacing = f", replacing {present} of the same name" if present else ""
        self.stdout.write(
            f"  the uploads: {backups.uploaded_files(len(archive.media))} written to "
            f"{settings.MEDIA_ROOT}{replacing}; files there that are not in the archive are kept"
        )
        self.stdout.write("Stop the app first: a server still running keeps the old database open.")

    def confirmed(self) -> bool:
        try:
            answer = input("Type 'yes' to restore: ")
        except EOFError:
            answer = ""
        return answer.strip().lower() == "yes"
