"""The resolve -> type -> check engine that validate, render, diff and the server share.

:class:`~azconf.check.engine.Check` resolves some environments of a project, types them and runs
every check on them, the checks of the resolved data on a second core (see ``SECOND_CORE``).
"""
