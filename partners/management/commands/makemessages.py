"""makemessages that also extracts `_g(...)`: services import `gettext as _g` beside the lazy `_`."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_g", "--keyword=ngettext_lazy:1,2"]
