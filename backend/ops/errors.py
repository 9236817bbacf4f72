"""Errors services raise for users, and how the API reports them."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ServiceError(Exception):
    """A failure a user can act on, raised by a service; becomes a 4xx in the API.

    ``message`` is shown to the user (a gettext'd Chinese msgid, so in the active language); ``field``
    names the input at fault, if any.
    """

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.code = code


class ConflictError(ServiceError):
    status_code = status.HTTP_409_CONFLICT


def api_exception_handler(exc, context):
    """Return DRF's response, and turn service and model validation errors into 4xx."""
    if isinstance(exc, ServiceError):
        body = {exc.field: [exc.message]} if exc.field else {"detail": exc.message}
        body["code"] = exc.code
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            body = {
                field: [str(m) for m in errs.messages] if hasattr(errs, "messages") else errs
                for field, errs in exc.message_dict.items()
            }
        else:
            body = {"detail": " ".join(str(m) for m in exc.messages)}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    # DRF's own messages (not signed in, no permission, not found, ...) come in the active
    # language, from DRF's catalogues, as ours come from locale/.
    return exception_handler(exc, context)
