"""``cdmbench COMMAND --help``: the command's composed configuration with each key's comment, and its groups.

The comments are read from the YAML files the config was composed from (the command's own file and the chosen
option of each group, ``--config-dir`` first), so the help says exactly what the files say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from omegaconf import DictConfig, OmegaConf, open_dict, read_write

__all__ = ["annotate", "file_comments", "render_help"]

_KEY = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z0-9_.\-]+):(?P<rest>.*)$")
_PACKAGE = re.compile(r"^#\s*@package\s+(?P<package>\S+)")
_SHOWN_GROUPS = ("hydra/launcher", "hydra/sweeper")


def _inline_comment(rest: str) -> str | None:
    """The ``# comment`` after a value (a ``#`` inside quotes does not count)."""
    quote = None
    for i, char in enumerate(rest):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or rest[i - 1].isspace()):
            return rest[i + 1 :].strip() or None
    return None


def _walk(lines: Iterable[str]):
    """(line, dotted key or None) for block-style YAML lines; lines inside ``|`` blocks and lists get None."""
    stack: list[tuple[int, str]] = []
    block_indent: int | None = None
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if block_indent is not None and (not line.strip() or indent > block_indent):
            yield line, None
            continue
        block_indent = None
        match = _KEY.match(line)
        if not match or line.lstrip().startswith(("#", "- ")):
            yield line, None
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key = ".".join([k for _, k in stack] + [match["key"]])
        stack.append((indent, match["key"]))
        value = match["rest"].split(" #")[0].strip()
        if value[:1] in ("|", ">"):
            block_indent = indent
        yield line, key


def file_comments(path: Path, package: str = "") -> dict[str, str]:
    """The inline comment of each key of a config file, by dotted key under ``package``."""
    text = path.read_text(encoding="utf-8")
    header = _PACKAGE.search(text)
    if header:
        declared = header["package"]
        package = "" if declared == "_global_" else declared.removeprefix("_global_.")
    comments: dict[str, str] = {}
    for line, key in _walk(text.splitlines()):
        if key is None or key == "defaults" or key.startswith("defaults."):
            continue
        match = _KEY.match(line)
        comment = _inline_comment(match["rest"]) if match else None
        if comment:
            comments[f"{package}.{key}" if package else key] = comment
    return comments


def annotate(yaml_text: str, comments: dict[str, str]) -> str:
    """``yaml_text`` with ``# comment`` appended to each key that has one."""
    lines = list(_walk(yaml_text.splitlines()))
    width = min(max((len(line) for line, key in lines if key in comments), default=0) + 2, 48)
    out = []
    for line, key in lines:
        if key in comments:
            line = f"{line:<{width}}# {comments[key]}"
        out.append(line)
    return "\n".join(out) + "\n"


def _find(config_dirs: list[Path], relative: str) -> Path | None:
    for directory in config_dirs:
        candidate = directory / f"{relative}.yaml"
        if candidate.is_file():
            return candidate
    return None


def render_help(app, command, config_name: str, overrides: list[str], config_dirs: list[Path]) -> str:
    """The help text of one command: usage, config groups with their options, the annotated configuration."""
    from cdmbench.config import redact

    cfg = app.compose(config_name, overrides)
    choices = {str(k): v for k, v in OmegaConf.to_container(cfg.hydra.runtime.choices).items()}
    comments: dict[str, str] = {}
    primary = _find(config_dirs, config_name)
    if primary:
        comments.update(file_comments(primary))
    groups = [g for g in choices if not g.startswith("hydra/")]
    for group in groups:
        if choices[group] is None:
            continue
        source = _find(config_dirs, f"{group}/{choices[group]}")
        if source:
            comments.update(file_comments(source, package=group.replace("/", ".")))

    loader = app.hydra.config_loader
    rows = []
    for group in [*groups, *_SHOWN_GROUPS]:
        options = sorted(loader.get_group_options(group))
        chosen = choices.get(group)
        rows.append((group, str(chosen), ", ".join(options)))
    width = max((len(g) for g, _, _ in rows), default=0)
    lines = [
        f"cdmbench {command.name}: {command.summary}",
        "",
        f"usage: cdmbench {command.name} [KEY=VALUE ...] [GROUP=OPTION ...] [-m] [--cfg job|hydra|all] [--info] "
        "[--config-dir DIR]",
        "  -m KEY=A,B ...   a sweep: one job per combination (hydra/launcher=... runs them elsewhere, e.g. SLURM)",
        "  --cfg job        print the composed configuration instead of running (hydra, all: Hydra's settings too)",
        "",
        "config groups (GROUP=OPTION; the chosen option, then all of them):",
        *(f"  {g:<{width}}  {c:<18} {opts}" for g, c, opts in rows),
    ]
    if "submitit_slurm" not in rows[-2][2]:
        lines.append("  (hydra/launcher=submitit_slurm and submitit_local need the slurm extra: uv sync --extra slurm)")
    with read_write(cfg), open_dict(cfg):
        del cfg["hydra"]
    body = OmegaConf.to_yaml(OmegaConf.create(redact(cfg))) if isinstance(cfg, DictConfig) else ""
    lines += ["", "config (override any key with key=value):", "", annotate(body, comments)]
    return "\n".join(lines)
