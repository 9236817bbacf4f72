"""Serializer fields whose choices are scoped to the requesting user."""

from rest_framework import serializers

from backend.accounts.selectors import scoped_queryset


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id of a region-bound row the requesting user may see (``scoped_queryset``).

    Any other id, whether it exists elsewhere or nowhere, is "does not exist": the same
    answer, so ids cannot be probed. Without a request in the serializer's context the
    choices are empty (fail closed), which also keeps the browsable API's forms empty.
    """

    def __init__(self, model=None, **kwargs):
        if model is None and kwargs.get("queryset") is not None:
            model = kwargs["queryset"].model
        self.model = model
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", model._default_manager.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return scoped_queryset(getattr(request, "user", None), self.model, super().get_queryset())


class OutputModelSerializer(serializers.ModelSerializer):
    """A model serializer for responses: every field read-only.

    A writable foreign key of a ``ModelSerializer`` is a ``PrimaryKeyRelatedField`` over
    the whole table, and the browsable API renders it as a form listing every row (every
    volunteer, team and proposal of the platform). Responses need none of that.
    """

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.read_only = True
            field.required = False
        return fields
