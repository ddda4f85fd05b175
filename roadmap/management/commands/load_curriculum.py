from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from roadmap.curriculum import CurriculumError, load_curriculum, read_curriculum
from roadmap.models import Roadmap


class Command(BaseCommand):
    help = (
        "Create a roadmap from a curriculum file, or update the roadmap made from it before. "
        "Progress is always kept. The file is checked whole before anything is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the curriculum YAML file.")
        parser.add_argument("--owner", required=True, help="Username of the roadmap's owner.")
        parser.add_argument(
            "--roadmap",
            metavar="SLUG",
            help="Slug of the roadmap to create or update (default: the owner's roadmap from "
            "this curriculum, or a new one named after its key).",
        )

    def handle(self, *args, file, owner, roadmap=None, **options):
        try:
            spec = read_curriculum(file)
        except CurriculumError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{file} was not loaded: {len(exc.errors)} error(s) above. Nothing was changed."
            ) from exc

        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(
                f"No user named '{owner}'. Create one with: manage.py createsuperuser"
            )

        target = None
        if roadmap:
            target = Roadmap.objects.filter(slug=roadmap).first()
            if target is not None and target.owner_id != user.pk:
                raise CommandError(
                    f"Roadmap '{roadmap}' belongs to another user; choose another slug."
                )
            if target is not None and target.curriculum_key not in ("", spec.key):
                raise CommandError(
                    f"Roadmap '{roadmap}' was made from curriculum '{target.curriculum_key}', "
                    f"not '{spec.key}'; choose another slug."
                )
        else:
            target = (
                Roadmap.objects.filter(owner=user, curriculum_key=spec.key).order_by("pk").first()
            )

        extra = {"slug": roadmap} if roadmap and target is None else {}
        report = load_curriculum(spec, owner=user, roadmap=target, **extra)

        for change in report.plan.kept:
            self.stdout.write(
                self.style.WARNING(
                    f"Kept {change.kind} '{change.key}' ({change.title}), gone from the file, "
                    f"because it {change.detail}. Remove it in the admin if it is not wanted."
                )
            )
        verb = "Created" if report.created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} roadmap '{report.roadmap.slug}' from {spec.key} version {spec.version}: "
                f"{len(spec.milestones)} milestones ({report.added} added, "
                f"{report.updated} updated, {report.removed} removed, {len(report.kept)} kept)."
            )
        )
