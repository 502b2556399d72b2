"""The README's configuration table, generated from ``Settings`` (a test keeps them equal)."""

from __future__ import annotations

from kms.core.config import Settings


def settings_markdown() -> str:
    lines = ["| variable | default | what it does |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
        if isinstance(default, list):
            default = ",".join(default)
        shown = f"`{default}`" if default not in ("", None) else "(empty)"
        if name == "sales_process":
            shown = "`kms/core/sales_process.yaml`"
        lines.append(f"| `KMS_{name.upper()}` | {shown} | {field.description} |")
    return "\n".join(lines)
