"""django-axes' database handler, with every unlock (a reset of attempts) written to the security log."""

from axes.handlers.database import AxesDatabaseHandler


class AuditedAxesHandler(AxesDatabaseHandler):
    """The web unlock and the `axes_reset*` commands both end here; a successful login's own reset does not."""

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        from .models import User
        from .services import login_delay
        from .services.security import audit, current_actor

        count = super().reset_attempts(ip_address=ip_address, username=username, ip_or_username=ip_or_username)
        if username:
            login_delay.forget(username)
        user = User.objects.filter(email__iexact=username).first() if username else None
        actor, _ip = current_actor()
        audit("auth.unlocked", object_ref=f"user:{user.pk}" if user else f"login:{username or '*'}",
              data={"username": username or "", "ip_address": ip_address or "", "attempts_cleared": count},
              label="" if actor else "command line")
        return count
