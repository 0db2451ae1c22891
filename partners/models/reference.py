"""Reference data loaded from seeds/reference/: districts and industries (codes never typed twice)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ReferenceItem(models.Model):
    code = models.CharField(_("code"), max_length=20, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self):
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class District(ReferenceItem):
    """A Beijing district (GB/T 2260), or the pseudo-district `outside` for organisations elsewhere."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Industry(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
