from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.api.serializers import MeSerializer


class MeView(APIView):
    """Show the signed-in user, her role and the region codes she may see."""

    serializer_class = MeSerializer

    def get(self, request):
        return Response(MeSerializer(request.user).data)
