"""History and audit: every recorded version of an environment, and a hash-chained log of every change.

The modules, each small and with one job:

- :mod:`~azconf.history.store`: the SQLite database (the only module that speaks SQL);
- :mod:`~azconf.history.items`: a snapshot as items (``flags.new-checkout``) and back;
- :mod:`~azconf.history.redact`: sensitive values replaced before anything is stored;
- :mod:`~azconf.history.writing`: writing a version and its audit entries, inside one transaction;
- :mod:`~azconf.history.audit`: entry hashes and verification of the chain;
- :mod:`~azconf.history.refs`: version references (``prod@12``, ``prod@latest~2``, ``@3fa2c1``);
- :mod:`~azconf.history.actor`: who and where (actor, host, user agent, git commit);
- :mod:`~azconf.history.api`: the functions other features and the CLI call;
- :mod:`~azconf.history.records` and :mod:`~azconf.history.errors`: the data and the errors they pass.

Nothing here is imported by ``azconf --help``; sqlite-utils is imported only when a database is opened.
"""
