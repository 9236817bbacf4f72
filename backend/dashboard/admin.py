from django.contrib import admin

# A link to the coverage dashboard at the top of the admin index (staff start there after
# signing in). Only if no other app has set its own index page.
if admin.site.index_template is None:
    admin.site.index_template = "dashboard/admin_index.html"
