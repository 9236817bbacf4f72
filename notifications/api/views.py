from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.api.serializers import MessageFilterSerializer, MessageOutputSerializer
from notifications.selectors import message_list, user_sees_outbox
from notifications.services import message_cancel, message_retry


class OutboxPermission(permissions.BasePermission):
    message = _("仅妇联工作人员可查看发件箱")

    def has_permission(self, request, view) -> bool:
        return user_sees_outbox(request.user)


class MessageListApi(ListAPIView):
    """List outbox messages in the caller's region, newest first, with filters."""

    permission_classes = [OutboxPermission]
    serializer_class = MessageOutputSerializer

    @extend_schema(parameters=[MessageFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = MessageFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return message_list(user=self.request.user, **filters.validated_data)


class _MessageActionApi(APIView):
    permission_classes = [OutboxPermission]
    action_service = None

    @extend_schema(request=None, responses=MessageOutputSerializer)
    def post(self, request, pk: int):
        message = get_object_or_404(message_list(user=request.user), pk=pk)
        message = type(self).action_service(message=message, by=request.user)
        return Response(MessageOutputSerializer(message).data)


class MessageRetryApi(_MessageActionApi):
    """Send a failed or cancelled message again."""

    action_service = staticmethod(message_retry)


class MessageCancelApi(_MessageActionApi):
    """Cancel a message that has not gone out."""

    action_service = staticmethod(message_cancel)
