from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0011_site_version_beyond_progress"),
    ]

    operations = [
        migrations.AddField(
            model_name="siteversion",
            name="beyond_progress_second",
            field=models.BigIntegerField(default=0),
        ),
    ]
