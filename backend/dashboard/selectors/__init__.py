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
    LIST_LIMIT,
    dashboard_data,
    lapsed_pairings,
    lapsed_volunteers,
    mask_phone,
    open_concerns,
    unpaired_children,
)

__all__ = [
    "EXPORT_LIST_LIMIT",
    "LAPSED_VOLUNTEER_DAYS",
    "LIST_LIMIT",
    "LOAD_BUCKETS",
    "Figures",
    "checkins_by_month",
    "dashboard_can_view",
    "dashboard_data",
    "dashboard_home_code",
    "dashboard_region",
    "lapsed_pairings",
    "lapsed_volunteers",
    "mask_phone",
    "open_concerns",
    "region_breadcrumbs",
    "region_figures",
    "unpaired_children",
    "village_figures_live",
    "villages_out_of_date",
]
