"""The typed model of a resolved environment, and the checks that turn it into problems."""
