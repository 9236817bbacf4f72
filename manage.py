#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    from django.core.management import execute_from_command_line

    from backend.startup import run_or_explain

    run_or_explain(execute_from_command_line, sys.argv)


if __name__ == "__main__":
    main()
