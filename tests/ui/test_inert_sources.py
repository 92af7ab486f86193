"""No screen builds markup from data: every module of ecstui/ui is read with `ast` and checked for the ways a
string from AWS would be parsed as Rich or Textual markup (`[@click=app.quit]` in a stop reason becoming an action).

The rules, each a way such a leak was written before:
- nothing parses markup: no `from_markup`, no `markup=True`, no `Matcher.highlight` (the palette's);
- every notification goes through `notify_inert` (Textual reads a notification as markup by default);
- no string built from data (an f-string, `%`, `.format`, `+`, `str(...)`) is handed to what reads a str as
  markup: Static, Label, Button, Checkbox, Option, Selection, Select options, `.update`, `add_row`, `add_option`,
  `set_options`, `RichLog.write`, Markdown, palette hits; data goes through `inert` (a Text) first;
- Rich's Table and Group are used only through `ecstui.ui.tables`, whose InertTable and inert_group make every
  str and Text in them inert.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import ecstui.ui

UI = Path(ecstui.ui.__file__).parent
MODULES = sorted(UI.rglob("*.py"))

# What reads a str argument as markup (by the name called: a class, or a method on any object).
MARKUP_SINKS = {
    "Static",
    "Label",
    "Button",
    "Checkbox",
    "RadioButton",
    "Switch",
    "Option",
    "Selection",
    "Select",
    "SelectionList",
    "OptionList",
    "Markdown",
    "Hit",
    "DiscoveryHit",
    "update",
    "add_row",
    "add_option",
    "add_options",
    "set_options",
    "write",
    "show",
}
# Keywords of those calls that are read as markup too.
MARKUP_KEYWORDS = {"label", "prompt", "title", "help", "renderable", "content", "text", "options", "selections"}
ALLOWED_RICH_IMPORTS = {"tables.py"}
NOTIFY_HELPER = "notify_inert"


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _builds_a_string(node: ast.AST) -> bool:
    """An expression that makes a str out of other values: what a screen would hand over as markup."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        sides = (node.left, node.right)
        return any(isinstance(side, ast.Constant) and isinstance(side.value, str) for side in sides) or any(
            _builds_a_string(side) for side in sides
        )
    if isinstance(node, ast.Call):
        name = _called_name(node)
        if name == "str" and isinstance(node.func, ast.Name):
            return True
        if name == "format" and isinstance(node.func, ast.Attribute):
            return True
    if isinstance(node, ast.IfExp):
        return _builds_a_string(node.body) or _builds_a_string(node.orelse)
    return False


def _offending_arguments(node: ast.AST) -> Iterator[ast.AST]:
    """The string-building expressions in an argument, looking into the option lists Select and OptionList take
    ([(prompt, value), ...], comprehensions of them)."""
    if _builds_a_string(node):
        yield node
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for element in node.elts:
            if isinstance(element, ast.Tuple) and element.elts:
                yield from _offending_arguments(element.elts[0])
            elif isinstance(element, ast.Starred):
                yield from _offending_arguments(element.value)
            else:
                yield from _offending_arguments(element)
    elif isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        element = node.elt
        yield from _offending_arguments(element.elts[0] if isinstance(element, ast.Tuple) and element.elts else element)
    elif isinstance(node, ast.Starred):
        yield from _offending_arguments(node.value)


def markup_leaks(source: str, filename: str = "<source>") -> list[str]:
    """Every place in `source` where data could be read as markup, as 'line: what'."""
    tree = ast.parse(source, filename)
    problems: list[str] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if (isinstance(node, ast.Attribute) and node.attr == "from_markup") or (
            isinstance(node, ast.Name) and node.id == "from_markup"
        ):
            problems.append(f"{line}: parses markup (from_markup)")
        elif isinstance(node, ast.keyword) and node.arg == "markup":
            if not (isinstance(node.value, ast.Constant) and node.value.value is False):
                problems.append(f"{line}: markup= other than False")
        elif isinstance(node, ast.ImportFrom) and Path(filename).name not in ALLOWED_RICH_IMPORTS:
            names = {alias.name for alias in node.names}
            rich_table = node.module == "rich.table" and "Table" in names
            if rich_table or (node.module == "rich.console" and "Group" in names):
                problems.append(f"{line}: Rich's own Table/Group (use ecstui.ui.tables: InertTable, inert_group)")
        elif isinstance(node, ast.Call):
            name = _called_name(node)
            if name == "highlight" and isinstance(node.func, ast.Attribute):
                problems.append(f"{line}: Matcher.highlight parses its candidate as markup")
            if name == "notify":
                first = node.args[0] if node.args else None
                through_door = (
                    isinstance(first, ast.Call) and isinstance(first.func, ast.Name) and first.func.id == "visible"
                )
                plain = any(
                    k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False
                    for k in node.keywords
                )
                if not (through_door and plain):
                    problems.append(f"{line}: notify() outside {NOTIFY_HELPER}")
            if name in MARKUP_SINKS:
                arguments = [*node.args, *(k.value for k in node.keywords if k.arg in MARKUP_KEYWORDS)]
                for argument in arguments:
                    for offending in _offending_arguments(argument):
                        where = getattr(offending, "lineno", line)
                        problems.append(f"{where}: {name}() given a string built from data")
    return sorted(set(problems), key=lambda problem: int(problem.split(":")[0]))


@pytest.mark.parametrize("module", MODULES, ids=lambda path: str(path.relative_to(UI)))
def test_no_module_of_the_ui_builds_markup_from_data(module: Path) -> None:
    assert markup_leaks(module.read_text(encoding="utf-8"), str(module)) == []


# The checker itself: each old leak, written as it was, is found.
@pytest.mark.parametrize(
    "leak",
    [
        'Static(f"Stop {task.id} ({task.task_definition})")',
        'self.query_one("#dialog-status", Static).update(f"Scaling {name} to 0…")',
        'table.add_row("Image", "image " + container.image)',
        'table.add_row("CPU", "%s / %s" % (task.cpu, task.memory))',
        'table.add_row("Started", "{} ago".format(age))',
        "table.add_row(str(container.exit_code))",
        'self.notify(f"Cluster {item.name} is already {item.status}.", severity="warning")',
        "self.app.notify(visible(message))",
        "content = Text.from_markup(event.message)",
        "yield Static(message, markup=True)",
        'options.add_option(Option(f"{definition.label}  {images}"))',
        'select.set_options([(f.name + "!", f.name) for f in families])',
        'Checkbox(f"Scale {s.name} to 0 first", True)',
        'Button(label=f"Scale to {previous}")',
        "yield Hit(score, matcher.highlight(command.title), command.run, help=command.help)",
        "from rich.table import Table",
        "from rich.console import Group, RenderableType",
    ],
)
def test_the_checker_finds_each_way_markup_was_built_from_data(leak: str) -> None:
    assert markup_leaks(leak) != []


@pytest.mark.parametrize(
    "safe",
    [
        'Static("Reason (recorded on the task, up to 255 characters):", classes="field-label")',
        'Static(inert(f"Stop {task.id} ({task.task_definition})"))',
        'table.add_row("Image", inert(container.image))',
        'notify_inert(self, f"Cluster {item.name} is already {item.status}.", severity="warning")',
        "where.notify(visible(message, multiline=True), title=visible(title), markup=False)",
        "select.set_options([(inert(f.name), f.name) for f in families])",
    ],
)
def test_the_checker_lets_inert_text_through(safe: str) -> None:
    assert markup_leaks(safe) == []
