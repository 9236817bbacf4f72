"""Errors services raise for users, and how the API reports them."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ServiceError(Exception):
    """A failure a user can act on, raised by a service; becomes a 4xx in the API.

    ``message`` is shown to the user (Chinese first, English after a slash); ``field``
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
    # As DRF's own handler would, but first, so that their messages are made bilingual too.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if (
        isinstance(exc, exceptions.APIException)
        and isinstance(exc.detail, str)
        and exc.detail == str(exc.default_detail)
    ):
        # DRF's own messages (not signed in, no permission, not found, ...) in both
        # languages, as ours are: Chinese first, English after a slash.
        exc.detail = _bilingual(exc.default_detail)
    return exception_handler(exc, context)


def _bilingual(message) -> str:
    with translation.override("zh-hans"):
        chinese = str(message)
    with translation.override("en"):
        english = str(message)
    return chinese if chinese == english else f"{chinese} / {english}"
