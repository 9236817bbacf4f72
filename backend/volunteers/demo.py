"""Demo recruitment data: caring units, teams, ~40 approved caring mothers and a review queue.

Idempotent: every row has a fixed key (USCC, team name, phone number, reference), and a
row that exists is left alone.
"""

import datetime

from django.utils import timezone
from stdnum.cn import uscc

from backend.accounts.models import User
from backend.privacy.idnumbers import id_number_compose, id_number_hash
from backend.regions.models import Region
from backend.volunteers.models import Application, CaringUnit, Decision, Skill, Team, Volunteer
from backend.volunteers.services import screening_check_set, screening_items_ensure

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = [
    "秀英",
    "桂英",
    "秀兰",
    "玉兰",
    "丽娟",
    "海燕",
    "红梅",
    "晓燕",
    "丽",
    "静",
    "敏",
    "芳",
    "霞",
    "娟",
    "艳",
    "慧",
    "琳",
    "婷",
]
UNITS = [
    ("沁水县人民医院", "12140521MB0A", "140521", "赵医生"),
    ("沁水县第一中学", "12140521MB0B", "140521", "孙老师"),
    ("泽州县妇幼保健院", "12140525MB0C", "140525", "周主任"),
    ("晋城市爱心公益服务中心", "52140500MJ0D", "1405", "钱女士"),
]
OCCUPATIONS = {
    "psychology": "心理咨询师",
    "family_education": "家庭教育指导师",
    "law": "律师",
    "teaching": "教师",
    "medical": "护士",
    "social_work": "社工",
    "arts_sports": "文艺骨干",
    "daily_care": "个体经营者",
}


def _uscc(body: str) -> str:
    body = (body + "00000")[:17]
    return body + uscc.calc_check_digit(body)


def _villages(county: str) -> list[Region]:
    # Every seventh village by code: spread over the county, the same on every run.
    return list(Region.objects.filter(code__startswith=county, level=Region.Level.VILLAGE).order_by("code"))[::7]


def seed(context) -> None:
    programme = context.objects["programme"]
    rng = context.rng
    screening_items_ensure(programme=programme)
    officers = {"140521": context.objects.get("user:qinshui"), "140525": context.objects.get("user:zezhou")}

    units = []
    for name, body, region, contact in UNITS:
        unit, _ = CaringUnit.objects.get_or_create(
            uscc=_uscc(body), defaults={"name": name, "region_id": region, "contact_name": contact}
        )
        units.append(unit)

    villages = {county: _villages(county) for county in ("140521", "140525")}
    # Two teams in Qinshui (which works with teams) and one in Zezhou, in towns where volunteers live.
    qinshui_towns = list(dict.fromkeys(v.code[:9] for v in villages["140521"][:12]))
    team_towns = [*qinshui_towns[:2], villages["140525"][0].code[:9]]
    teams = []
    for town in team_towns:
        region = Region.objects.get(code=town)
        team, _ = Team.objects.get_or_create(
            programme=programme, name=f"{region.name}关爱小分队", defaults={"region": region}
        )
        teams.append(team)

    today = timezone.localdate()
    created = 0
    for index in range(40):
        county = "140521" if index % 2 == 0 else "140525"
        phone = f"+86135{index:08d}"
        if Volunteer.objects.filter(phone=phone).exists():
            continue
        # A few live in a team's town, so the teams have members.
        village = villages[county][index % 12]
        team = next((t for t in teams if village.code.startswith(t.region_id)), None)
        skills = sorted(rng.sample(list(Skill.values), k=rng.choice([1, 1, 2, 3])))
        birth = datetime.date(rng.randint(1966, 1998), rng.randint(1, 12), rng.randint(1, 28))
        place = "142425" if index % 7 == 0 else county  # some carry pre-1985 codes
        number = id_number_compose(place=place, birth=birth, order=index + 1, female=True)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        application = Application.objects.create(
            reference=f"ZM{today:%y}V{index:05d}",
            programme=programme,
            status=Application.Status.APPROVED,
            name=name,
            gender="F",
            id_number=number,
            id_number_hash=id_number_hash(number),
            birth_date=birth,
            phone=phone,
            phone_verified_at=timezone.now(),
            village=village,
            caring_unit=rng.choice([None, None, *units]),
            occupation=OCCUPATIONS[skills[0]],
            skills=skills,
            capacity=rng.choice([1, 1, 2, 2, 3, 4, 5]),
            availability=sorted(rng.sample(["weekdays", "evenings", "weekends", "holidays"], k=2)),
            joins_team=team is not None,
            motivation="愿意为村里的孩子尽一份力。",
            declarations=["good_health", "no_criminal_record"],
            consent_at=timezone.now(),
            decided_at=timezone.now(),
        )
        officer = officers[county]
        Decision.objects.create(
            application=application,
            action=Decision.Action.APPROVE,
            decided_by=officer,
            decided_by_name=getattr(officer, "username", "demo"),
        )
        user = User.objects.filter(phone=phone).first()
        if user is None:
            user = User(username=f"v{phone.lstrip('+')}", role=User.Role.VOLUNTEER, phone=phone, display_name=name)
            user.set_unusable_password()
            user.save()
        Volunteer.objects.create(
            user=user,
            programme=programme,
            application=application,
            name=name,
            gender="F",
            birth_date=birth,
            id_number=number,
            id_number_hash=application.id_number_hash,
            phone=phone,
            village=village,
            caring_unit=application.caring_unit,
            team=team,
            occupation=application.occupation,
            skills=skills,
            capacity=application.capacity,
            availability=application.availability,
            status_changed_at=timezone.now(),
        )
        created += 1

    queue = _seed_queue(programme=programme, villages=villages, units=units, rng=rng, today=today, officers=officers)
    context.objects["volunteers:teams"] = teams
    context.notes.append(
        f"  爱心妈妈 volunteers: {Volunteer.objects.count()} ({created} new); "
        f"待审核报名 review queue: {queue}; 报名页 apply: /apply/"
    )


# Waiting applications whose screening checklist is complete: the workspace's bulk approval.
CHECKLIST_DONE = (0, 1, 2)


def _seed_queue(*, programme, villages, units, rng, today, officers=None) -> int:
    """Ten applications waiting for review, two with flags (a duplicate, an age outside the range).

    Three have their checklist complete, ready for the workspace's bulk approval.
    """
    pending = []
    for index in range(10):
        reference = f"ZM{today:%y}P{index:05d}"
        if Application.objects.filter(reference=reference).exists():
            continue
        county = "140521" if index % 2 == 0 else "140525"
        birth = datetime.date(rng.randint(1970, 2000), rng.randint(1, 12), rng.randint(1, 28))
        if index == 3:
            # Applied long ago; she is now past the programme's maximum age.
            birth = datetime.date(today.year - programme.max_age - 2, 1, 15)
        number = id_number_compose(place=county, birth=birth, order=500 + index, female=True)
        if index == 5:
            # Rejected once before under the same ID number: flagged as a duplicate.
            previous = f"ZM{today:%y}R{index:05d}"
            Application.objects.get_or_create(
                reference=previous,
                defaults=_application_fields(
                    programme, number, birth, f"+86136{index:08d}", villages[county][20], rng, units
                )
                | {"status": Application.Status.REJECTED, "decided_at": timezone.now()},
            )
        fields = _application_fields(
            programme, number, birth, f"+86137{index:08d}", villages[county][13 + index], rng, units
        )
        if index == 8:
            fields |= {"status": Application.Status.MORE_INFO, "staff_message": "请补充所在单位的推荐意见"}
        application = Application.objects.create(reference=reference, **fields)
        pending.append(application)
        officer = (officers or {}).get(county)
        if index in CHECKLIST_DONE and officer is not None:
            for item in screening_items_ensure(programme=programme):
                screening_check_set(application=application, item_code=item.code, done=True, by=officer)
    return Application.objects.filter(status__in=Application.OPEN_STATUSES).count()


def _application_fields(programme, number, birth, phone, village, rng, units) -> dict:
    skills = sorted(rng.sample(list(Skill.values), k=rng.choice([1, 2])))
    return {
        "programme": programme,
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "gender": "F",
        "id_number": number,
        "id_number_hash": id_number_hash(number),
        "birth_date": birth,
        "phone": phone,
        "phone_verified_at": timezone.now(),
        "village": village,
        "caring_unit": rng.choice([None, *units]),
        "occupation": OCCUPATIONS[skills[0]],
        "skills": skills,
        "capacity": rng.choice([1, 2, 3]),
        "availability": ["weekends"],
        "joins_team": rng.random() < 0.5,
        "motivation": "看到招募令，想为留守儿童做点事。",
        "declarations": ["good_health", "no_criminal_record"],
        "consent_at": timezone.now(),
    }
