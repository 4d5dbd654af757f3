"""``azconf serve``: the runtime flags service, a sibling of the CLI on top of the same core.

``app`` builds the Starlette app (:func:`azconf.server.app.create_app`); ``rest``, ``ofrep``,
``events`` and ``health`` hold one API each; ``tokens`` and ``guard`` decide who may do what;
``source`` keeps the config being served (the working tree, watched, or recorded versions, followed);
``runner`` runs it on uvicorn. Flags are evaluated by :mod:`azconf.flags.evaluate` and changed through
:mod:`azconf.edit.transaction`, exactly as the commands do. Nothing outside this package (and the
``serve`` command) imports starlette or uvicorn.
"""
