"""Reads of the dashboard: which region a user may see, its figures, and the lists that lead to action."""

from backend.dashboard.selectors.access import (
    dashboard_can_view,
    dashboard_home_code,
    dashboard_region,
    region_breadcrumbs,
)
from backend.dashboard.selectors.figures import (
    LAPSED_VOLUNTEER_DAYS,
    LOAD_BUCKETS,
    Figures,
    checkins_by_month,
    region_figures,
    village_figures_live,
    villages_out_of_date,
)
from backend.dashboard.selectors.lists import (
    EXPORT_LIST_LIMIT,
    KINDS,
    LIST_LIMIT,
    dashboard_children_shown,
    dashboard_data,
    dashboard_lists,
    list_heads,
    lists_in_full,
    village_lists_live,
)

__all__ = [
    "EXPORT_LIST_LIMIT",
    "KINDS",
    "LAPSED_VOLUNTEER_DAYS",
    "LIST_LIMIT",
    "LOAD_BUCKETS",
    "Figures",
    "checkins_by_month",
    "dashboard_can_view",
    "dashboard_children_shown",
    "dashboard_data",
    "dashboard_lists",
    "dashboard_home_code",
    "dashboard_region",
    "list_heads",
    "lists_in_full",
    "region_breadcrumbs",
    "region_figures",
    "village_figures_live",
    "village_lists_live",
    "villages_out_of_date",
]
