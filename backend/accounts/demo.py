"""Demo accounts: a superuser, city and county officers, a town officer, a child director."""

from backend.accounts.models import User
from backend.regions.models import Region

DEMO_ACCOUNTS = [
    # (who, username, password, role, region code)
    ("超级管理员 superuser", "admin", "Admin@2026!", None, None),
    ("晋城市妇联 city officer", "jincheng", "Jincheng@2026", User.Role.STAFF, "1405"),
    ("沁水县妇联 county officer", "qinshui", "Qinshui@2026", User.Role.STAFF, "140521"),
    ("泽州县妇联 county officer", "zezhou", "Zezhou@2026", User.Role.STAFF, "140525"),
    ("沁水县龙港镇 town officer", "longgang", "Longgang@2026", User.Role.STAFF, "140521100"),
    ("柳庄社区儿童主任 child director", "liuzhuang", "Liuzhuang@2026", User.Role.CHILD_DIRECTOR, "140521100001"),
]

# County and city officers get a (made-up) mobile number: a concern left unacknowledged past
# its deadline is escalated to them by SMS (to the local outbox in the demo).
DEMO_STAFF_PHONES = {"jincheng": "+8613900001405", "qinshui": "+8613900140521", "zezhou": "+8613900140525"}


def seed(context) -> None:
    for who, username, password, role, code in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            region = Region.objects.get(code=code) if code else None
            user = User(
                username=username,
                display_name=who.split(" ")[0],
                role=role or User.Role.STAFF,
                is_staff=True,
                is_superuser=role is None,
                home_region=region if role == User.Role.STAFF else None,
                phone=DEMO_STAFF_PHONES.get(username),
            )
            user.set_password(password)
            user.save()
            if role == User.Role.CHILD_DIRECTOR:
                user.villages.set([region])
        context.objects[f"user:{username}"] = user
        context.credentials.append((who, username, password))
