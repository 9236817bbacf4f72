from backend.accounts.api.fields import OutputModelSerializer
from backend.regions.models import Region


class RegionSerializer(OutputModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "full_name", "level", "parent"]
