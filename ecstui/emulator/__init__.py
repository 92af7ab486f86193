"""The embedded AWS: moto in server mode behind a layer that keeps AWS's limits.

Only ever reached through an endpoint URL; nothing in `ecstui.aws` or `ecstui.ui` imports it
except the CLI, which starts it for `--demo`.
"""
