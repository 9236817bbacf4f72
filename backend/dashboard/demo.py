"""Demo data of the dashboard: store every village's figures, as the beat task does each minute."""

from backend.dashboard.services import summary_refresh
from backend.demo.context import DemoContext


def seed(context: DemoContext) -> None:
    """Store the per-village figures of the demo data, so that the first page reads stored rows."""
    n = summary_refresh()
    if n:
        context.notes.append(f"工作台村级统计：{n} 个村")
