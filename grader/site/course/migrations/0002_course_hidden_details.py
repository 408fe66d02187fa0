from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("course", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="hidden_details",
            field=models.CharField(choices=[("result", "the name and whether it passed"),
                                            ("hint", "also the author's hint"),
                                            ("full", "also the message, stuck lines and interleaving")],
                                   default="hint", max_length=6),
        ),
    ]
