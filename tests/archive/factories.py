"""Dossiers that end each way an archived dossier ends, through the real services."""

from dossiers import services
from dossiers.actions import dossier_act
from dossiers.constants import DossierStatus
from dossiers.models import Dossier
from tests.dossiers.factories import DossierFactory


def ended_dossier(office, how: str) -> Dossier:
    """A dossier of `office` that was returned, refused, stopped or withdrawn."""
    people = {k: office[k] for k in ("desk", "specialist", "leader")}
    citizen, version = office["citizen"], office["version"]
    if how == DossierStatus.RETURNED:
        return DossierFactory(state=DossierStatus.RETURNED, applicant=citizen, version=version, people=people)
    dossier = DossierFactory(state=DossierStatus.IN_PROCESSING, applicant=citizen, version=version, people=people)
    if how == DossierStatus.REFUSED:
        dossier = dossier_act(
            dossier=dossier, name="refuse", actor=office["specialist"], data={"reasons": "Không đủ điều kiện"}
        )
    elif how == DossierStatus.STOPPED:
        dossier = dossier_act(
            dossier=dossier, name="stop", actor=office["leader"], data={"reasons": "Người nộp đề nghị dừng"}
        )
    elif how == DossierStatus.WITHDRAWN:
        dossier = services.dossier_request_withdrawal(dossier=dossier, actor=citizen, reason="Không còn nhu cầu")
        dossier = dossier_act(
            dossier=Dossier.objects.get(pk=dossier.pk), name="confirm_withdrawal", actor=office["desk"], data={}
        )
    else:
        raise ValueError(how)
    return Dossier.objects.get(pk=dossier.pk)
