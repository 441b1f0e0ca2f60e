"""Catalog-wide settings and the paid-call counters.

A part of :class:`~facecurator.services.catalog.database.Catalog` (same
connection, same transactions).
"""

from __future__ import annotations

from facecurator.services.catalog.access import CatalogAccess


class SettingsStore(CatalogAccess):
    """Catalog methods for settings and paid-call counts."""

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A catalog-wide setting (e.g. the last rule set used), or ``default``."""
        with self._reading("settings") as db:
            row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self._write(f"save setting {key}") as db:
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, str(value)),
            )

    def add_paid_calls(self, service: str, n: int) -> None:
        """Count ``n`` more billable calls to ``service`` (e.g. "imm", "green")."""
        if n == 0:
            return
        with self._write(f"count paid calls to {service}") as db:
            db.execute(
                "INSERT INTO paid_calls (service, calls) VALUES (?, ?)"
                " ON CONFLICT (service) DO UPDATE SET calls = paid_calls.calls + excluded.calls",
                (service, int(n)),
            )

    def paid_calls(self) -> dict[str, int]:
        """Billable calls made so far, per service."""
        with self._reading("paid calls") as db:
            rows = db.execute("SELECT service, calls FROM paid_calls ORDER BY service").fetchall()
        return {service: calls for service, calls in rows}
