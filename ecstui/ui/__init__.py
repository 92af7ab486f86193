"""The Textual console: screens and widgets that render ecstui.aws models and call its actions."""
