"""Demo accounts with fixed logins: one person per role, all sharing one demo password."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password

from ..enums import StaffRole
from ..models import User

DEMO_DOMAIN = "demo.partner-plan.example"
DEMO_PASSWORD = "Demo-Partner-2026!"

# (login key, e-mail local part, display name, staff group, Django-admin access)
DEMO_ACCOUNTS = [
    ("applicant", "applicant", "陈思远（示范申报人）", None, False),
    ("reviewer", "reviewer", "初审员 林审", StaffRole.REVIEWER, False),
    ("approver", "approver", "复审员 周决", StaffRole.APPROVER, False),
    ("service_officer", "officer", "服务专员 吴联", StaffRole.SERVICE_OFFICER, False),
    ("administrator", "admin", "管理员 许管", StaffRole.ADMINISTRATOR, True),
    ("expert", "expert", "评审专家 秦评", StaffRole.EXPERT, False),
]
# The three administrative roles (三员分立), handed out by the set-up superuser as in a real installation.
DUTY_ACCOUNTS = [
    ("system_admin", "sysadmin", "系统管理员 韩系"),
    ("security_admin", "secadmin", "安全管理员 鲁安"),
    ("audit_admin", "auditadmin", "审计管理员 邵审"),
]
SETUP_ACCOUNT = ("setup", "setup", "初始超级用户")


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_DOMAIN}"


def ensure_user(email, display_name, password_hash, *, phone="", superuser=False, group=None,
                admin_access=False) -> User:
    """Create the person once; a second run finds them and changes nothing."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, display_name=display_name, phone=phone, is_staff=superuser or admin_access,
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
    accounts = {
        key: ensure_user(demo_email(local), name, password_hash, group=group, admin_access=admin_access)
        for key, local, name, group, admin_access in DEMO_ACCOUNTS
    }
    accounts.update(split_duties_once(password_hash))
    return accounts


def split_duties_once(password_hash) -> dict[str, User]:
    """Three different people hold the system, security and audit administrator roles; the set-up
    superuser hands them out through the separation-of-duties service and so gives up its full powers."""
    from ..services import separation

    people = {key: ensure_user(demo_email(local), name, password_hash) for key, local, name in DUTY_ACCOUNTS}
    key, local, name = SETUP_ACCOUNT
    if not separation.duties_split():
        setup = ensure_user(demo_email(local), name, password_hash, superuser=True)
        separation.split_duties(setup, **{role: demo_email(local) for role, local, _ in DUTY_ACCOUNTS})
    # Its work done, the set-up account is closed: a shared demo password must not keep an extra staff login.
    setup = User.objects.filter(email=demo_email(local), is_active=True).first()
    if setup is not None:
        separation.close_setup_account(setup)
    return people
