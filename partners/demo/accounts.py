"""Demo accounts with fixed logins: one person per role, all sharing one demo password."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password

from ..enums import StaffRole
from ..models import User

DEMO_DOMAIN = "demo.partner-plan.example"
DEMO_PASSWORD = "Demo-Partner-2026!"

# (login key, e-mail local part, display name, staff group, superuser)
DEMO_ACCOUNTS = [
    ("applicant", "applicant", "陈思远（示范申报人）", None, False),
    ("reviewer", "reviewer", "初审员 林审", StaffRole.REVIEWER, False),
    ("approver", "approver", "复审员 周决", StaffRole.APPROVER, False),
    ("service_officer", "officer", "服务专员 吴联", StaffRole.SERVICE_OFFICER, False),
    ("administrator", "admin", "管理员 许管", StaffRole.ADMINISTRATOR, True),
]


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_DOMAIN}"


def ensure_user(email, display_name, password_hash, *, phone="", superuser=False, group=None) -> User:
    """Create the person once; a second run finds them and changes nothing."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, display_name=display_name, phone=phone, is_staff=superuser,
                    is_superuser=superuser)
        # One hash for every demo account: hashing dozens of passwords would dominate the run time.
        user.password = password_hash
        user.full_clean(exclude=["password"])
        user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def ensure_demo_accounts(password_hash) -> dict[str, User]:
    validate_password(DEMO_PASSWORD, User(email=demo_email("reviewer"), display_name="Demo"))
    return {
        key: ensure_user(demo_email(local), name, password_hash, superuser=superuser, group=group)
        for key, local, name, group, superuser in DEMO_ACCOUNTS
    }
