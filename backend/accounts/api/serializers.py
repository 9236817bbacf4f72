from rest_framework import serializers

from backend.accounts.api.fields import OutputModelSerializer
from backend.accounts.models import User
from backend.regions.api.serializers import RegionSerializer


class MeSerializer(OutputModelSerializer):
    home_region = RegionSerializer(read_only=True, allow_null=True)
    scope = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "role", "is_superuser", "home_region", "scope"]

    def get_scope(self, user) -> list[str]:
        from backend.accounts.selectors import user_region_scope

        scope = user_region_scope(user)
        return ["*"] if scope.everything else list(scope.prefixes)
