import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from learners.models import Profile
from learners.services import site_owners
from roadmap.curriculum import CurriculumError, load_curriculum, read_curriculum

DEFAULT_CURRICULUM = "ml-fundamentals.yaml"


class Command(BaseCommand):
    help = (
        "On a new site, create the learner account and a roadmap from the shipped curriculum. "
        "On a site that has users already, change nothing and say how to log in."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        username = os.environ.get("DJANGO_LEARNER_USERNAME", "learner")
        if User.objects.exists():
            self.stdout.write(
                f"Log in at http://127.0.0.1:8000/accounts/login/ as an existing user "
                f"(the first run created '{username}'; forgot the password? "
                f"run: .venv/bin/python manage.py changepassword {username})."
            )
            return

        password = os.environ.get("DJANGO_LEARNER_PASSWORD") or secrets.token_urlsafe(12)
        # The site's owner runs the site from the admin, as staff with the site owners'
        # permissions; not a superuser, so the admin never shows them other learners' data.
        user = User.objects.create_user(
            username=username, email="", password=password, is_staff=True
        )
        user.groups.add(site_owners())
        Profile.objects.create(user=user)

        curriculum = self.pick_curriculum()
        if curriculum is not None:
            report = load_curriculum(curriculum, owner=user)
            self.stdout.write(
                f"Loaded '{curriculum.title}' ({len(curriculum.milestones)} milestones) "
                f"as your roadmap: http://127.0.0.1:8000{report.roadmap.get_absolute_url()}"
            )

        self.stdout.write(self.style.SUCCESS("Created the learner account."))
        self.stdout.write("  Log in at http://127.0.0.1:8000/accounts/login/")
        self.stdout.write(f"  username: {username}")
        if "DJANGO_LEARNER_PASSWORD" in os.environ:
            self.stdout.write("  password: the one in DJANGO_LEARNER_PASSWORD")
        else:
            self.stdout.write(f"  password: {password}   (shown this once; keep it)")

    def pick_curriculum(self):
        directory = settings.CURRICULA_DIR
        preferred = directory / DEFAULT_CURRICULUM
        candidates = [preferred] if preferred.exists() else sorted(directory.glob("*.yaml"))
        for path in candidates:
            try:
                return read_curriculum(path)
            except CurriculumError as exc:
                self.stderr.write(str(exc))
        return None
