from rest_framework import serializers


class AccessEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField(help_text="The officer's name.")
    role = serializers.CharField(help_text="The role the officer read it under (desk officer, specialist, leader).")
    agency = serializers.CharField()
    what = serializers.ChoiceField(
        choices=["page", "attachment", "document", "pdf", "api"],
        help_text="The dossier page, an attached file, an issued document, a PDF preview, or through the API.",
    )
    file = serializers.CharField(help_text="The attached file's name, when a file was opened.")
    dossier = serializers.CharField(help_text="The dossier code.")
