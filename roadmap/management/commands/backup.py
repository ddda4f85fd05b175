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
        "Write a consistent copy of the database, taken while the app runs, and every uploaded "
        "file to one .tar.gz archive: data/backups/switchback-<UTC time>.tar.gz, or PATH (a file "
        "or a folder). On PostgreSQL, print the pg_dump command to use instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            metavar="PATH",
            help="The archive to write, or a folder to write it in (default: data/backups/).",
        )
        parser.add_argument(
            "--media-only",
            action="store_true",
            help="Archive the uploaded files only (on PostgreSQL, where pg_dump copies the "
            "database).",
        )

    def handle(self, *args, path=None, media_only=False, **options):
        created = datetime.now(UTC)
        database = None if media_only else self.live_database(created)
        try:
            target = backups.archive_path(
                path, created=created, default_folder=settings.DATA_DIR / "backups"
            )
            media = backups.media_names(default_storage)
            # Scratch space beside the archive: the disk chosen for backups, not /tmp.
            with TemporaryDirectory(dir=target.parent, prefix=".switchback-backup-") as scratch:
                copy = Path(scratch) / backups.DATABASE if database else None
                if copy:
                    backups.copy_database(database, copy)
                backups.write_archive(
                    target, database=copy, storage=default_storage, media=media, created=created
                )
                database_size = copy.stat().st_size if copy else None
        except backups.BackupError as exc:
            raise CommandError(f"{exc} Nothing was written.") from exc

        self.report(target, database, database_size, media)

    def report(self, target: Path, database: Path | None, database_size, media: list[str]):
        size = backups.human_size
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {target} ({size(target.stat().st_size)}).")
        )
        if database_size is None:
            self.stdout.write("  database: not included (--media-only)")
        else:
            self.stdout.write(
                f"  database: {size(database_size)}, copied from {database}; integrity_check ok"
            )
        media_size = sum(default_storage.size(name) for name in media)
        self.stdout.write(
            f"  media: {backups.uploaded_files(len(media))}, {size(media_size)}, "
            f"from {settings.MEDIA_ROOT}"
        )
        self.stdout.write(f"Restore it with: .venv/bin/python manage.py restore {target}")

    def live_database(self, created: datetime) -> Path:
        """The SQLite file to copy; on any other database, say how to back it up instead."""
        if connection.vendor == "postgresql":
            dump = f"switchback-{created:%Y-%m-%dT%H%M%SZ}.dump"
            raise CommandError(
                "This site's database is PostgreSQL, which this command does not copy. Back it "
                "up with pg_dump (it asks for the password, or reads PGPASSWORD or ~/.pgpass):\n"
                f"    {backups.pg_dump_command(connection.settings_dict, dump)}\n"
                "and load such a file back with:\n"
                f"    {backups.pg_restore_command(connection.settings_dict, dump)}\n"
                "The uploaded files are not in the database; archive them with:\n"
                "    .venv/bin/python manage.py backup --media-only"
            )
        if connection.vendor != "sqlite":
            raise CommandError(
                f"This site's database is {connection.vendor}: back it up with its own tools. "
                "Archive the uploaded files with: .venv/bin/python manage.py backup --media-only"
            )
        if connection.is_in_memory_db():
            raise CommandError("The database is in memory: there is no file to back up.")
        return Path(connection.settings_dict["NAME"])
