"""Pictures the browser tests take for people to look at (docs and test-artifacts/).

A picture is a record of what the page looked like, not what the test checks, so a
screenshot that Chromium cannot take at that instant ("Unable to capture screenshot",
seen on a loaded CI machine while the page was still painting) is tried again after the
next frame, and if it still fails the test goes on with a warning rather than failing on it.

Pictures go to ``test-artifacts/`` (ignored by git). The ones the docs show are written to
``docs/screenshots/`` only when ``UPDATE_DOC_SCREENSHOTS=1``, so a test run leaves the
tracked files alone.
"""

import os
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
ATTEMPTS = 3


def screenshot(page, name: str, folder: str = "", *, full_page: bool = True, for_docs: bool = False) -> Path | None:
    """Save ``page`` as ``<folder>/<name>.png``; return the path, or None if Chromium could not take it."""
    from playwright.sync_api import Error

    if for_docs and os.environ.get("UPDATE_DOC_SCREENSHOTS") == "1":
        target = DOC_SCREENSHOTS / f"{name}.png"
    else:
        target = ARTIFACTS / folder / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            page.screenshot(path=str(target), full_page=full_page)
            return target
        except Error as error:
            if "capture screenshot" not in str(error):
                raise
            if attempt == ATTEMPTS:
                warnings.warn(f"no screenshot {target.name}: {error}", stacklevel=2)
                return None
            page.wait_for_timeout(250 * attempt)
            page.evaluate("() => new Promise(requestAnimationFrame)")
    return None
