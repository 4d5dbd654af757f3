"""Editing config files without re-serialising them: every byte outside the edited spans is kept.

:mod:`azconf.edit.yaml_text` edits one file's text; :mod:`azconf.edit.plan` turns wanted values
into edits of an environment's overlay; :mod:`azconf.edit.apply` validates and writes them.
"""
