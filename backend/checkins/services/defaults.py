"""The default contact rules and care dates a programme starts with (staff edit them in the admin)."""

from django.db import transaction

from backend.checkins.models import CalendarEvent, CheckIn, ContactRule

K = CheckIn.Kind
ANY_CARE = [K.HOME_VISIT, K.PHONE_CALL, K.VIDEO_CALL, K.SCHOOL_VISIT, K.ACTIVITY, K.GIFT, K.TUTORING]

DEFAULT_RULES = (
    # name, kinds, every N days, lead days, escalate to town staff / county after N / M days overdue
    ("每月电话或视频", [K.PHONE_CALL, K.VIDEO_CALL, K.HOME_VISIT], 30, 3, 7, 30),
    ("每季度入户走访", [K.HOME_VISIT, K.SCHOOL_VISIT], 90, 7, 14, 45),
)

# Dates that move each year (lunar calendar, school calendars): set per year, edit in the admin.
SPRING_FESTIVAL = {"2026": "2026-02-17", "2027": "2027-02-06", "2028": "2028-01-26"}
WINTER_HOLIDAY = {"2026": "2026-01-17", "2027": "2027-01-16", "2028": "2028-01-15"}
SUMMER_HOLIDAY = {"2026": "2026-07-11", "2027": "2027-07-10", "2028": "2028-07-08"}

DEFAULT_EVENTS = (
    # name, kind, month, day, dates, kinds, lead, grace
    ("孩子生日", CalendarEvent.Kind.BIRTHDAY, None, None, {}, ANY_CARE, 3, 3),
    ("六一儿童节", CalendarEvent.Kind.FIXED, 6, 1, {}, [K.ACTIVITY, K.GIFT, K.HOME_VISIT, K.SCHOOL_VISIT], 7, 7),
    ("春节", CalendarEvent.Kind.DATED, None, None, SPRING_FESTIVAL, ANY_CARE, 7, 10),
    ("寒假关爱", CalendarEvent.Kind.DATED, None, None, WINTER_HOLIDAY, ANY_CARE, 3, 21),
    ("暑假关爱", CalendarEvent.Kind.DATED, None, None, SUMMER_HOLIDAY, ANY_CARE, 3, 30),
)


@transaction.atomic
def contact_rules_default(programme) -> tuple[list[ContactRule], list[CalendarEvent]]:
    """Give a programme the default rules and care dates it lacks (by name); idempotent."""
    rules = []
    for name, kinds, every, lead, staff_days, county_days in DEFAULT_RULES:
        rule, _created = ContactRule.objects.get_or_create(
            programme=programme,
            name=name,
            defaults={
                "kinds": [str(k) for k in kinds],
                "every_days": every,
                "lead_days": lead,
                "escalate_staff_days": staff_days,
                "escalate_county_days": county_days,
            },
        )
        rules.append(rule)
    events = []
    for name, kind, month, day, dates, kinds, lead, grace in DEFAULT_EVENTS:
        event, _created = CalendarEvent.objects.get_or_create(
            programme=programme,
            name=name,
            defaults={
                "kind": kind,
                "month": month,
                "day": day,
                "dates": dates,
                "kinds": [str(k) for k in kinds],
                "lead_days": lead,
                "grace_days": grace,
            },
        )
        events.append(event)
    return rules, events
