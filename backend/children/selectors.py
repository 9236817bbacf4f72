"""Reads of children's files, scoped to what each user may see. Every read goes through here.

- superusers: every child;
- federation staff: children in their home region and below (village code prefix);
- child directors: children in their villages;
- volunteers: only the children they are paired with (``child_ids_paired_with``), and
  only the restricted fields (see ``api.serializers.VolunteerChildSerializer``);
- anyone else: nothing.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from backend.accounts.models import User
from backend.accounts.selectors import user_region_scope
from backend.children.models import Child, ChildChange, Concern
from backend.regions.models import Region

OPEN_CONCERN_STATUSES = (Concern.Status.OPEN, Concern.Status.ACKNOWLEDGED)


def is_file_keeper(user) -> bool:
    """Return whether the user keeps children's files by region (staff, child director, superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role in (User.Role.STAFF, User.Role.CHILD_DIRECTOR)


def is_region_staff(user) -> bool:
    """Return whether the user is federation staff (or a superuser): imports, the ledger, the audit log."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.role == User.Role.STAFF and bool(user.home_region_id))


def can_reveal_id_number(user) -> bool:
    """Return whether the user may see full ID numbers: superusers and county-level staff and above."""
    if not is_region_staff(user):
        return False
    if user.is_superuser:
        return True
    return Region.level_of(user.home_region_id) <= Region.Level.COUNTY


def child_ids_paired_with(user) -> QuerySet:
    """Return the ids of the children a volunteer (a user) is currently paired with.

    Directly, or through a team (关爱小分队) she belongs to; active or paused pairings.
    """
    from pairing.models import Pairing

    return (
        Pairing.objects.filter(status__in=(Pairing.Status.ACTIVE, Pairing.Status.PAUSED))
        .filter(
            Q(volunteer__user=user, volunteer__status="active")
            | Q(team__members__user=user, team__members__status="active")
        )
        .values("child_id")
    )


def programme_of_pairing_with(*, user, child: Child):
    """Return the programme under which a volunteer is paired with a child (None if not paired).

    Its flags say whether she may see the guardian's phone and the address detail.
    """
    from pairing.models import Pairing

    pairing = (
        Pairing.objects.filter(child=child, status__in=(Pairing.Status.ACTIVE, Pairing.Status.PAUSED))
        .filter(
            Q(volunteer__user=user, volunteer__status="active")
            | Q(team__members__user=user, team__members__status="active")
        )
        .select_related("programme")
        .order_by("id")
        .first()
    )
    return pairing.programme if pairing is not None else None


def child_list_for(*, user) -> QuerySet[Child]:
    """Return the children whose files the user may read (any status)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Child.objects.none()
    if is_file_keeper(user):
        return Child.objects.filter(user_region_scope(user).q("village_id"))
    if user.role == User.Role.VOLUNTEER:
        return Child.objects.filter(pk__in=child_ids_paired_with(user), status=Child.Status.ACTIVE)
    return Child.objects.none()


def child_list_with_details(*, user) -> QuerySet[Child]:
    """Return the readable children with their village and open-concern count, for lists."""
    # A correlated subquery is evaluated for the page's rows only, not the whole region.
    open_count = (
        Concern.objects.filter(child=OuterRef("pk"), status__in=OPEN_CONCERN_STATUSES)
        .order_by()
        .values("child")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        child_list_for(user=user)
        # A second query for the page's villages: joining the region table lets the
        # planner hash the whole table when it misjudges how many children match.
        .prefetch_related("village")
        .annotate(open_concerns=Coalesce(Subquery(open_count, output_field=IntegerField()), 0))
    )


def child_get_for(*, user, pk) -> Child | None:
    """Return one child the user may read, or None (the caller answers 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return child_list_with_details(user=user).filter(pk=pk).first()


def child_history(*, child: Child) -> QuerySet[ChildChange]:
    """Return the change history of a child's file, newest first."""
    return ChildChange.objects.filter(child=child).select_related("changed_by")


def concern_list_for(*, user) -> QuerySet[Concern]:
    """Return the concerns the user may read.

    File keepers see every concern about children in their region; a volunteer sees
    the concerns she raised about children she is still paired with.
    """
    if is_file_keeper(user):
        qs = Concern.objects.filter(user_region_scope(user).q("child__village_id"))
    elif user is not None and user.is_authenticated and user.is_active and user.role == User.Role.VOLUNTEER:
        qs = Concern.objects.filter(child__in=child_ids_paired_with(user), raised_by=user)
    else:
        qs = Concern.objects.none()
    return qs.select_related("child", "child__village", "raised_by", "acknowledged_by", "closed_by")


def import_job_list_for(*, user) -> QuerySet:
    """Return the import jobs the user may follow: her own, and those started by staff of her region."""
    from backend.children.models import ImportJob

    if not is_region_staff(user):
        return ImportJob.objects.none()
    scope = user_region_scope(user)
    if scope.everything:
        return ImportJob.objects.all()
    return ImportJob.objects.filter(Q(created_by=user) | scope.q("created_by__home_region_id"))
