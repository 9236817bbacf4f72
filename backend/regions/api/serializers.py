from rest_framework import serializers

from backend.regions.models import Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "full_name", "level", "parent"]
