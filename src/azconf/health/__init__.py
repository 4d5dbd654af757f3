"""Health of a project: checks with thresholds (``azconf doctor``), alerts that open and resolve
themselves, and the webhook that announces them.

:mod:`~azconf.health.checks` measures, :mod:`~azconf.health.alerts` compares with the open alerts in
history, :mod:`~azconf.health.notify` posts what changed. Nothing here prints: reporters live in
:mod:`azconf.report.health_report`.
"""
