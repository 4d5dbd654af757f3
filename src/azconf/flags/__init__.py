"""Flag evaluation with flagd's semantics: JsonLogic targeting compiled once, evaluated per request.

``evaluate`` is the engine (a compiled flag set and its results); ``jsonlogic`` compiles rules;
``operations`` holds flagd's own operations (fractional, sem_ver, starts_with, ends_with). Nothing here
imports the server: ``azconf serve`` and any library caller use the same functions.
"""
