"""Process helpers that carry azconf's speed: a forked worker on the second core, a paused GC.

:mod:`~azconf.process.fork` runs work in a forked child that dies with its parent;
:mod:`~azconf.process.gcpause` pauses the cyclic collector while large acyclic trees are built.
Leaving without freeing (``os._exit``) is the CLI's alone: see :mod:`azconf.cli.entry`.
"""
