from django.contrib import admin

from .models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "role", "lang", "roster_id")
    list_filter = ("role", "lang")
    search_fields = ("user__username", "display_name", "roster_id")
    exclude = ("sign_in_digest", "api_token_digest")  # digests only; new ones come from the site's pages
