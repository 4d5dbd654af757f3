"""The flags dashboard served by ``azconf serve`` at ``/``: every environment side by side, one flag's
provenance and history, toggles with a plan, stale flags and alerts (see docs/dashboard.md)."""
