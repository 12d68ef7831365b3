import factory

from procedures.constants import Level, ServiceLevel, VersionStatus
from procedures.models import Agency, DocumentRequirement, Field, Procedure, ProcedureVersion
from procedures.services import procedure_version_publish


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"000.{n:02d}.00.H99")
    name = factory.Sequence(lambda n: f"Ủy ban nhân dân xã số {n}")
    level = Level.COMMUNE


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"F{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"1.{n:06d}")


class VersionFactory(factory.django.DjangoModelFactory):
    """A draft version with one required document; `published=True` publishes it."""

    class Meta:
        model = ProcedureVersion
        skip_postgeneration_save = True

    procedure = factory.SubFactory(ProcedureFactory)
    number = factory.LazyAttribute(lambda v: v.procedure.versions.count() + 1)
    status = VersionStatus.DRAFT
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    field = factory.SubFactory(FieldFactory)
    agency = factory.SubFactory(AgencyFactory)
    level = Level.COMMUNE
    service_level = ServiceLevel.FULL
    processing_days = 3

    @factory.post_generation
    def published(self, create, extracted, **kwargs):
        DocumentRequirement.objects.create(version=self, name="Tờ khai")
        if extracted:
            published = procedure_version_publish(version=self)
            self.status, self._loaded_status = published.status, published.status
