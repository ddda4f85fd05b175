# A delivery id is unique per roadmap, not across the site: GitHub sends the same
# X-GitHub-Delivery to every hook one push triggers. The ids already stored are unique
# site-wide, so they are unique per roadmap too and the constraint adds without a clash.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0008_keep_deleted_addresses"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookdelivery",
            name="delivery",
            field=models.CharField(max_length=64),
        ),
        migrations.AddConstraint(
            model_name="webhookdelivery",
            constraint=models.UniqueConstraint(
                fields=("roadmap", "delivery"), name="webhook_delivery_unique_per_roadmap"
            ),
        ),
    ]
