"""Demo children: ~120 files over 沁水县 and 泽州县 (a few elsewhere in Jincheng), some concerns.

Idempotent: the data come from a fixed seed and a fixed reference date, so a re-run
finds every ID number already registered and creates nothing. (A local random source
is used rather than ``context.rng``, whose state depends on what earlier apps drew.)
"""

import datetime
import random

from django.utils import timezone

from backend.children.models import Child, Concern
from backend.children.services import child_create, concern_raise
from backend.privacy.idnumbers import id_number_compose, id_number_hash
from backend.regions.models import Region

REFERENCE_DATE = datetime.date(2026, 9, 1)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡郭何高林罗郑梁宋谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = [
    "梓涵",
    "子轩",
    "欣怡",
    "浩然",
    "雨桐",
    "宇航",
    "思琪",
    "俊杰",
    "佳怡",
    "子墨",
    "诗涵",
    "一诺",
    "晨曦",
    "明轩",
    "梦琪",
    "博文",
    "语嫣",
    "嘉豪",
    "若汐",
    "天佑",
    "可馨",
    "浩宇",
    "雅婷",
    "子豪",
    "心怡",
    "锦程",
    "紫萱",
    "皓轩",
    "欣悦",
    "泽宇",
]
GRADES = ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "初一", "初二", "初三", "高一", "高二", "高三"]
SCHOOLS = ["中心小学", "第一中学", "初级中学", "希望小学", "完全小学", "九年制学校"]
WORK_PLACES = ["广东省东莞市", "浙江省宁波市", "江苏省苏州市", "北京市", "山西省太原市", "上海市", "天津市", ""]
NEEDS_NOTES = [
    "祖父母年迈，作业无人辅导",
    "性格内向，父母常年在外，想念妈妈",
    "放学后独自在家，需要安全教育",
    "数学成绩下滑，需要学业辅导",
    "冬季衣物不足",
    "",
]
CONCERNS = [
    ("high", "dropping_out", "连续一周未到校，祖母说孩子不愿上学。"),
    ("urgent", "neglect", "祖父住院，孩子独自在家两天，无人做饭。"),
    ("medium", "psychological", "最近情绪低落，常说不想说话，夜里哭。"),
    ("high", "safety", "家中老房屋顶漏雨，墙体有裂缝。"),
    ("low", "health", "视力下降明显，尚未配眼镜。"),
]


def _villages(prefix: str, count: int, rng: random.Random) -> list[Region]:
    villages = list(Region.objects.filter(code__startswith=prefix, level=Region.Level.VILLAGE).order_by("code"))
    return rng.sample(villages, min(count, len(villages))) if villages else []


def seed(context) -> None:
    rng = random.Random(404)
    plan = [  # (county prefix, officer, number of villages, children)
        ("140521", "user:qinshui", 25, 58),
        ("140525", "user:zezhou", 25, 52),
        ("140581", "user:jincheng", 5, 6),  # 高平市
        ("140502", "user:jincheng", 3, 4),  # 城区
    ]
    created = 0
    made: list[Child] = []
    for prefix, officer_key, n_villages, n_children in plan:
        officer = context.objects.get(officer_key)
        villages = _villages(prefix, n_villages, rng)
        if officer is None or not villages:
            continue
        # 柳庄社区 always has a few children, for the demo child director.
        if prefix == "140521":
            villages[0] = Region.objects.get(code="140521100001")
        for i in range(n_children):
            village = villages[0] if i < 4 else rng.choice(villages)
            age = rng.randint(6, 17)
            birth = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age) - datetime.timedelta(
                days=rng.randint(1, 360)
            )
            female = rng.random() < 0.5
            number = id_number_compose(place=prefix, birth=birth, order=rng.randint(1, 400), female=female)
            in_difficulty = rng.random() < 0.25
            subtype = rng.choice(Child.DifficultySubtype.values) if in_difficulty else ""
            risk = rng.choices(["low", "medium", "high"], weights=[6, 3, 1])[0]
            needs = sorted(rng.sample(Child.Need.values, rng.randint(1, 3)))
            surname = rng.choice(SURNAMES)
            guardian_relation = (
                "institution"
                if subtype == "orphan"
                else rng.choice(["grandparent"] * 4 + ["relative", "entrusted", "mother", "father"])
            )
            wanted = 2 if (risk == "high" or subtype in ("orphan", "unsupported")) and rng.random() < 0.7 else 1
            values = {
                "family_name": surname,
                "given_name": rng.choice(GIVEN),
                "id_number": number,
                "village_id": village.code,
                "address_detail": f"{village.name.removesuffix('村委会').removesuffix('社区居委会')}{rng.randint(1, 40)}号",
                "school": f"{village.full_name[6:9] if len(village.full_name) > 9 else ''}{rng.choice(SCHOOLS)}",
                "grade": GRADES[min(max(age - 6, 0), len(GRADES) - 1)],
                "category": "in_difficulty" if in_difficulty else "left_behind",
                "difficulty_subtype": subtype,
                "guardian_name": surname + rng.choice(["爷爷", "奶奶", "外婆", "姑姑", "大伯"]),
                "guardian_relation": guardian_relation,
                "guardian_phone": f"139{rng.randint(10000000, 99999999)}",
                "parents_work_place": "" if in_difficulty else rng.choice(WORK_PLACES),
                "needs": needs,
                "needs_note": rng.choice(NEEDS_NOTES),
                "risk_level": risk,
                "volunteers_wanted": wanted,
                "consent_given_by": surname + "爷爷",
                "consent_relation": "祖父",
                "consent_given_on": REFERENCE_DATE - datetime.timedelta(days=rng.randint(1, 60)),
            }
            existing = Child.objects.filter(id_number_hash=id_number_hash(number)).first()
            if existing is not None:
                made.append(existing)
                continue
            made.append(child_create(created_by=officer, values=values, today=REFERENCE_DATE))
            created += 1
    if created:
        # Each concern is raised by someone who keeps the child's file (her region's staff).
        reporters = {
            "140521100001": context.objects.get("user:liuzhuang"),
            "140521": context.objects.get("user:qinshui"),
            "140525": context.objects.get("user:zezhou"),
        }
        liuzhuang = [c for c in made if c.village_id == "140521100001"]
        targets = (
            liuzhuang[:2]
            + [c for c in made if c.risk_level == "high" and c not in liuzhuang and c.village_id[:6] in reporters][:3]
        )
        now = timezone.now()
        for n, (child, (severity, category, description)) in enumerate(zip(targets, CONCERNS, strict=False)):
            reporter = reporters.get(child.village_id) or reporters[child.village_id[:6]]
            # The urgent one was raised 30 hours ago and nobody acknowledged it: the workspace marks
            # it 超时未受理 and the beat escalates it to the county officer (SMS in the local outbox).
            raised = now - datetime.timedelta(hours=30 if severity == "urgent" else 2 + n)
            concern_raise(
                child=child,
                raised_by=reporter,
                severity=severity,
                category=category,
                description=description,
                now=raised,
            )
    context.objects["children"] = made
    open_count = Concern.objects.filter(status="open").count()
    context.notes.append(f"儿童档案 children: {len(made)} files ({created} new), {open_count} open concerns")
