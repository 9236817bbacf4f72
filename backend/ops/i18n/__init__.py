"""One language at a time: the doubled "中文 / English" strings split into a Chinese msgid and an
English catalogue entry (``manage.py i18n_split``), and the check CI runs on the catalogue.

- ``doubled``: what a doubled string is, and how it splits.
- ``sources``: rewrite (or only find) doubled strings in Python files and templates.
- ``po``: read and write ``locale/<lang>/LC_MESSAGES/django.po``.
- ``catalogue``: extract the msgids of the tree (Django's makemessages), fill in the English, check.
"""
