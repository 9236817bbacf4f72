"""Demo service records: every check-in in the ledger, a year of 补录 for three volunteers (approved in bulk),
trainings, one honoured 优秀爱心妈妈, one certificate final and one in publicity, work waiting for staff."""

import datetime

from django.utils import timezone

from backend.records import services
from backend.records.models import Certificate, Issuer, Nomination, ServiceEntry
from backend.regions.models import Region
from backend.volunteers.models import Volunteer

ACTIVITIES = ["寒假关爱活动", "六一儿童节活动", "暑期学业辅导", "开学季走访", "中秋陪伴活动", "春节慰问"]


def seed(context) -> None:
    programme = context.objects["programme"]
    town, county = context.objects.get("user:longgang"), context.objects.get("user:qinshui")
    services.service_entries_sync()
    volunteers = list(
        Volunteer.objects.filter(
            programme=programme, status=Volunteer.Status.ACTIVE, village__pk__startswith="140521100"
        ).order_by("id")[:3]
    )
    for volunteer in Volunteer.objects.filter(programme=programme):
        services.training_from_screening(volunteer=volunteer)
    if town is None or county is None or len(volunteers) < 2:
        return
    issuer = services.issuer_for(region=Region.objects.get(code="140521"))
    Issuer.objects.filter(pk=issuer.pk, responsible_person="").update(
        responsible_person="李红", handler="赵敏", contact="0356-7021234"
    )
    if not ServiceEntry.objects.filter(volunteer__in=volunteers, source=ServiceEntry.Source.STAFF).exists():
        today = timezone.localdate()
        made = []
        for volunteer in volunteers:
            for month in range(12):
                day = today - datetime.timedelta(days=30 * month + 5)
                made.append(
                    services.service_entry_supplement(
                        by=town,
                        volunteer=volunteer,
                        served_on=day,
                        starts_at=datetime.time(9),
                        ends_at=datetime.time(12),
                        minutes=150,
                        content=ACTIVITIES[month % len(ACTIVITIES)],
                        reason="镇妇联组织的集体活动，现场签到表补录",
                    )
                )
        # The last month's stay pending for the workspace's queue; the rest the county approves in bulk.
        services.service_entries_approve_bulk(
            by=county, entry_ids=[e.pk for e in made if e.served_on < today - datetime.timedelta(days=30)]
        )
        services.training_record(
            by=county,
            volunteer=volunteers[0],
            topic="留守儿童心理关爱",
            held_on=today - datetime.timedelta(days=60),
            hours=3,
            organiser="沁水县妇女联合会",
        )
    honoured = volunteers[0]
    if not Nomination.objects.filter(volunteer=honoured).exists():
        year = timezone.localdate().year
        nomination = services.nomination_raise(
            by=town,
            volunteer=honoured,
            title="优秀爱心妈妈",
            year=year,
            statement="一年来坚持每月走访、电话，从未间断",
            awarding_region=Region.objects.get(code="140521"),
        )
        services.nomination_decide(nomination=nomination, by=county, approve=True, note="同意授予")
        services.nomination_raise(
            by=town,
            volunteer=volunteers[1],
            title="优秀爱心妈妈",
            year=year,
            statement="关爱两名困境儿童",
            awarding_region=Region.objects.get(code="1405"),
        )
    if not Certificate.objects.filter(volunteer__in=volunteers).exists():
        today = timezone.localdate()
        start = today - datetime.timedelta(days=365)
        final = services.certificate_issue(by=county, volunteer=volunteers[0], period_start=start, period_end=today)
        # Issued ten days ago: its publicity is over and it can be downloaded.
        Certificate.objects.filter(pk=final.pk).update(
            issued_on=today - datetime.timedelta(days=10), publicity_ends_on=today - datetime.timedelta(days=3)
        )
        services.certificate_issue(by=county, volunteer=volunteers[1], period_start=start, period_end=today)
    context.notes.append(
        f"服务记录演示：{ServiceEntry.objects.count()} 条记录"
        f"（{ServiceEntry.objects.filter(status='pending').count()} 条待审核，见 /staff/records/），"
        f"{volunteers[0].name} 获表彰；证明见 /staff/records/certificates/，"
        "公示见 /records/notice/140521/，本人记录见 /v/record/"
    )
