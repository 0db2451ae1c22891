"""Error pages that answer in the API's JSON shape under /api/ and as the usual pages elsewhere."""

from django.utils.translation import gettext as _g
from django.views import defaults

from ..hygiene import error_response, is_api


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    if is_api(request):
        return error_response(request, 500, "server_error",
                              _g("The server could not answer this request. Please try again later."))
    return defaults.server_error(request, template_name)
