from django.contrib import admin

from notifications.models import LocalDelivery, Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "recipient", "template", "status", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "status", "template")
    search_fields = ("recipient", "provider_id")
    readonly_fields = [f.name for f in Message._meta.fields]


@admin.register(LocalDelivery)
class LocalDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "text")
    search_fields = ("to",)
    readonly_fields = ("message", "to", "text", "created_at")
