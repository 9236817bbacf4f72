from django.db.models import QuerySet

from backend.accounts.selectors import user_region_scope
from backend.audit.models import AuditEvent


def audit_event_list(*, user) -> QuerySet[AuditEvent]:
    """Return the audit events about records in the user's region."""
    return AuditEvent.objects.filter(user_region_scope(user).q("region_code")).select_related("actor")
