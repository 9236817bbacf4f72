"""Demo activities for 沁水县: a summer camp full with a waiting list, a weekly family-education
lecture series (two sessions held, with check-ins), 微心愿 wishes in every state, articles, a consultation."""

import datetime

from django.utils import timezone

from backend.accounts.models import User
from backend.activities import services
from backend.activities.models import Activity, Article, Wish
from backend.children.models import Child
from backend.regions.models import Region
from backend.volunteers.models import CaringUnit, Volunteer
from pairing.models import Pairing

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
ARTICLES = [
    ("如何和留守在家的孩子视频聊天", "left_behind", "每周固定一个时间视频，先听孩子说，少问成绩，多问今天开心的事。"),
    ("隔代照护：祖辈怎样陪孩子写作业", "grandparents", "不必会做题，陪在旁边、定时休息、及时表扬，就是最好的帮助。"),
    ("孩子情绪低落时，家长可以做什么", "all", "留意睡眠、饮食和话变少等信号，耐心倾听，必要时联系村儿童主任。"),
]
WISHES = ["一套课外书", "一双运动鞋", "一个新书包", "一盒彩笔", "一个篮球"]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def seed(context) -> None:
    if Activity.objects.exists():
        return
    officer = User.objects.filter(username="qinshui").first() or User.objects.filter(is_superuser=True).first()
    county = Region.objects.get(code="140521")
    today = timezone.localdate()
    now = timezone.now()
    pairings = list(
        Pairing.objects.filter(status="active", child__village__pk__startswith="140521", volunteer__isnull=False)
        .select_related("child", "volunteer__user")
        .order_by("id")[:12]
    )
    # A summer camp: 6 places for children, all taken, 3 on the waiting list.
    camp_day = today + datetime.timedelta(days=20)
    camp = services.activity_create(
        by=officer,
        region=county,
        kind=Activity.Kind.CAMP,
        title="暑期关爱夏令营",
        place="沁水县青少年活动中心",
        description="三天两夜，手工、阅读、体育和安全教育。",
        starts_at=_at(camp_day, 9),
        ends_at=_at(camp_day + datetime.timedelta(days=2), 16),
        capacity_children=6,
        capacity_guardians=0,
        capacity_volunteers=3,
        signup_opens_at=now - datetime.timedelta(days=7),
        signup_closes_at=_at(camp_day - datetime.timedelta(days=3), 18),
    )
    for p in pairings[:9]:
        services.signup_create(
            activity=camp,
            audience="child",
            channel="volunteer",
            by=p.volunteer.user,
            child=p.child,
            consent_by=p.child.guardian_name,
            consent_relation=p.child.get_guardian_relation_display(),
        )
    for p in pairings[:2]:
        services.signup_create(
            activity=camp, audience="volunteer", channel="volunteer", by=p.volunteer.user, volunteer=p.volunteer
        )
    # A lecture series for guardians: weekly, four sessions, the first two held.
    import recurrence

    first = today - datetime.timedelta(days=10)
    lecture = services.activity_create(
        by=officer,
        region=county,
        kind=Activity.Kind.LECTURE,
        title="隔代教养家庭教育讲座",
        place="龙港镇妇联活动室",
        starts_at=_at(first, 19),
        ends_at=_at(first, 20) + datetime.timedelta(minutes=30),
        recurrence=recurrence.Recurrence(rrules=[recurrence.Rule(recurrence.WEEKLY, count=4)]),
        capacity_children=0,
        capacity_guardians=30,
        capacity_volunteers=5,
        signup_opens_at=now - datetime.timedelta(days=20),
        signup_closes_at=_at(first + datetime.timedelta(days=21), 12),
    )
    opened = now - datetime.timedelta(days=15)
    guardians = [
        services.signup_create(
            activity=lecture,
            audience="guardian",
            channel="guardian",
            person_name=name,
            phone=f"+86139000001{n:02d}",
            now=opened,
        )
        for n, name in enumerate(["王秀兰", "李桂英", "张玉梅", "刘淑珍", "陈凤英", "杨春花"])
    ]
    helper = pairings[0].volunteer if pairings else None
    if helper is not None:
        guardians.append(
            services.signup_create(
                activity=lecture,
                audience="volunteer",
                channel="volunteer",
                volunteer=helper,
                by=helper.user,
                now=opened,
            )
        )
    for session in list(lecture.sessions.all())[:2]:
        for signup in guardians[: 4 + session.number]:
            services.attendance_mark(session=session, signup=signup, by=officer)
    # 微心愿 wishes, one in every state.
    unit = CaringUnit.objects.filter(region__pk__startswith="140521").first()
    claimer = Volunteer.objects.filter(village__pk__startswith="140521", status="active").order_by("id").last()
    for n, (p, item) in enumerate(zip(pairings[-5:], WISHES, strict=False)):
        wish = services.wish_record(child=p.child, by=officer, item=item, estimated_value=50 + 20 * n)
        if n >= 1:
            services.wish_publish(wish=wish)
        if n >= 2:
            by_unit = unit is not None and n == 2
            services.wish_claim(wish=wish, unit=unit if by_unit else None, volunteer=None if by_unit else claimer)
        if n >= 3:
            services.wish_fulfil(wish=wish, fulfilled_on=today - datetime.timedelta(days=n))
        if n >= 4:
            services.wish_thank(wish=wish, note="谢谢您让孩子的心愿成真！")
    for title, audience, body in ARTICLES:
        services.article_publish(by=officer, region=county, title=title, body=body, audience=audience)
    child = Child.objects.filter(village__pk__startswith="140521", status="active").order_by("id").first()
    if child is not None:
        services.consultation_record(
            child=child,
            by=officer,
            held_on=today - datetime.timedelta(days=3),
            topic="亲子沟通",
            advice="建议在外务工的妈妈每周固定时间视频，多听孩子讲学校的事。",
            follow_up_on=today + datetime.timedelta(days=27),
            activity=lecture,
        )
    context.notes.append(
        f"关爱活动: {camp.title}（名额已满，{Wish.objects.count()}个微心愿）、{lecture.title}；"
        f"监护人报名页 /g/，文章 {Article.objects.count()} 篇"
    )
