"""A command group that imports a command's module only when that command is asked for.

``openkyc verify-document photo.jpg`` needs the document reader and nothing else; importing every
command's module up front (the database layer, the web stack, the face pipeline) cost more than
the reading itself (issue 26). The group knows each lazy command's name and where it lives; the
module is imported when the command runs, or when the help lists every command.
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

import typer
from typer.core import TyperGroup

# typer (0.29) vendors click as a private module: its Context and Command types are not public,
# so the overrides below take and return them as Any.


def _noop() -> None:
    """A group callback, so that typer builds a group even around a single command."""


class LazyGroup(TyperGroup):
    """``lazy`` maps a command name to ``"module:attribute"`` (a :class:`typer.Typer` sub-app or a
    command function) or to ``"module"`` whose ``register(app)`` adds the command."""

    lazy: ClassVar[dict[str, str]] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self.lazy:
            return command
        command = _load(self.lazy[cmd_name], cmd_name)
        if command is not None:
            # Kept, so the help and a second lookup do not convert it again.
            self.commands[cmd_name] = command
        return command


def _load(target: str, name: str) -> Any:
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # A build without that part (its module missing) just lacks the command; a module that
        # is there but fails on its own imports is a real error.
        if exc.name != module_name:
            raise
        return None
    holder = typer.Typer()
    holder.callback()(_noop)
    if not attribute:
        module.register(holder)
    else:
        obj = getattr(module, attribute)
        if isinstance(obj, typer.Typer):
            holder.add_typer(obj, name=name)
        else:
            holder.command(name)(obj)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    return group.commands.get(name)
