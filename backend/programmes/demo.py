"""The demo programme: Jincheng's caring mothers programme."""

from backend.programmes.models import Programme
from backend.regions.models import Region


def seed(context) -> None:
    programme, _ = Programme.objects.get_or_create(
        slug="jincheng-caring-mothers",
        defaults={
            "name": "晋城市爱心妈妈结对关爱",
            "region": Region.objects.get(code="1405"),
            "description": "市、县、镇、村四级妇联联动，为全市留守儿童和困境儿童结对爱心妈妈，实现关爱全覆盖。",
            "min_age": 22,
            "max_age": 65,
            "exit_rules": "爱心妈妈因工作调动、身体原因等无法继续履行职责的，可申请退出；连续三个月无关爱记录的，由县级妇联约谈或调整。",
        },
    )
    context.objects["programme"] = programme
