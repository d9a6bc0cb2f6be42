"""``SchemaJSONAdapter``: DSPy's JSONAdapter that always sends the output JSON schema.

DSPy 3.4.1 sends a schema only for models its metadata says support one, and none for a signature
with an open mapping (ReAct's ``next_tool_args``). Servers that constrain decoding (vLLM, llama.cpp)
then let a model ramble until ``max_tokens``. This adapter builds the schema from the signature's
output fields for every call:

- open mappings (``dict[str, Any]``) become a plain ``{"type": "object"}``;
- objects with declared properties require them all and allow no others; a closed object without properties
  (``{"properties": {}, "additionalProperties": false}``) admits only ``{}``;
- a field annotated with ``pydantic.WithJsonSchema`` sends that schema (the ReAct step's tool arguments: one
  ``anyOf`` branch per tool, so a tool without arguments is called with ``{}``);
- free-text strings get ``maxLength`` when ``max_text_chars`` is set, lists ``maxItems`` when ``max_list_items`` is
  (tiny models need the caps);
- ``$ref``s are inlined (llama.cpp's grammar converter and some servers do not follow them).

A call whose answer was cut off at ``max_tokens`` (``finish_reason: "length"``, seen by ``TranscriptLM``) is an
``AdapterParseError``, like any answer that cannot be parsed, even when the cut text would parse.
An answer that cannot be parsed (cut off included) is removed from DSPy's answer cache before the error goes on
(``forget_answer``): the cache stores every HTTP 200, and a rerun must ask the server again, not replay it.

The schema is sent in the dialect the server takes: ``json_schema`` (OpenAI, vLLM) or ``json_object_schema``
(``{"type": "json_object", "schema": ...}``, llama-cpp-python's server, which answers ``json_schema``
with HTTP 500).
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Annotated, Any, get_origin

import dspy
import pydantic
from dspy.utils.exceptions import AdapterParseError
from loguru import logger

from cdmbench.lm.cache import forget_answer
from cdmbench.lm.failures import is_format_error
from cdmbench.lm.transcript import calling, last_call, last_request

__all__ = ["DIALECTS", "SchemaJSONAdapter", "output_json_schema", "response_format_for"]

DIALECTS = ("json_schema", "json_object_schema", "json_object", "none")


def _field_annotation(field: Any) -> Any:
    annotation = field.annotation
    metadata = [m for m in getattr(field, "metadata", ()) if isinstance(m, pydantic.WithJsonSchema)]
    if metadata:  # an explicit schema wins (the ReAct step's per-tool arguments)
        return Annotated[(annotation, *metadata)]
    if get_origin(annotation) is dict or annotation is dict:
        return dict[str, Any]
    return annotation


def _inline_refs(node: Any, defs: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [_inline_refs(item, defs, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.split("/")[-1]
        if name in seen or name not in defs:  # recursive model: give up on this branch, keep it open
            return {"type": "object"}
        merged = {**copy.deepcopy(defs[name]), **{k: v for k, v in node.items() if k != "$ref"}}
        return _inline_refs(merged, defs, (*seen, name))
    return {k: _inline_refs(v, defs, seen) for k, v in node.items() if k != "$defs"}


def _tighten(node: Any, max_text_chars: int | None, max_list_items: int | None = None) -> None:
    if isinstance(node, list):
        for item in node:
            _tighten(item, max_text_chars, max_list_items)
        return
    if not isinstance(node, dict):
        return
    node.pop("title", None)
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties")
        if props:
            node["required"] = list(props)
            node["additionalProperties"] = False
        elif props == {} and node.get("additionalProperties") is False:  # a closed empty object: exactly {}
            node.pop("required", None)
        else:
            node.pop("properties", None)
            node.pop("required", None)
            node.pop("additionalProperties", None)
    elif kind == "string" and max_text_chars and not any(k in node for k in ("enum", "const", "pattern", "format")):
        node["maxLength"] = min(int(node.get("maxLength", max_text_chars)), max_text_chars)
    elif kind == "array" and max_list_items:
        node["maxItems"] = min(int(node.get("maxItems", max_list_items)), max_list_items)
    for key in ("properties", "$defs"):
        for child in (node.get(key) or {}).values():
            _tighten(child, max_text_chars, max_list_items)
    for key in ("items", "anyOf", "oneOf", "allOf", "prefixItems", "additionalProperties"):
        if isinstance(node.get(key), (dict, list)):
            _tighten(node[key], max_text_chars, max_list_items)


def output_json_schema(
    signature: type[dspy.Signature], max_text_chars: int | None = None, max_list_items: int | None = None
) -> dict[str, Any]:
    """The JSON schema of a signature's output fields, as this adapter sends it (with the caps, when given).

    Example:
        >>> output_json_schema(dspy.Signature("question -> answer"), 100)["properties"]["answer"]
        {'type': 'string', 'maxLength': 100}
    """
    fields = {name: (_field_annotation(f), ...) for name, f in signature.output_fields.items()}
    model = pydantic.create_model("Outputs", **fields)
    schema = model.model_json_schema()
    schema = _inline_refs(schema, schema.get("$defs", {}))
    _tighten(schema, max_text_chars, max_list_items)
    return schema


def response_format_for(
    signature: type[dspy.Signature], dialect: str, max_text_chars: int | None = None, max_list_items: int | None = None
) -> dict[str, Any] | None:
    """The ``response_format`` request field for ``signature`` in ``dialect`` (None for ``none``).

    Building the schema creates a pydantic model; it is done once per (signature, dialect, cap) and copied.
    """
    cached = _cached_response_format(signature, dialect, max_text_chars, max_list_items)
    return copy.deepcopy(cached)


@functools.lru_cache(maxsize=512)
def _cached_response_format(
    signature: type[dspy.Signature], dialect: str, max_text_chars: int | None, max_list_items: int | None
) -> dict[str, Any] | None:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown schema dialect {dialect!r}; known: {', '.join(DIALECTS)}")
    if dialect == "none":
        return None
    if dialect == "json_object":
        return {"type": "json_object"}
    try:
        schema = output_json_schema(signature, max_text_chars, max_list_items)
    except (TypeError, ValueError, pydantic.PydanticSchemaGenerationError, pydantic.PydanticInvalidForJsonSchema):
        logger.warning("cannot build a JSON schema for {}; asking for plain JSON", signature.__name__)
        return {"type": "json_object"}
    if dialect == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    name = re.sub(r"[^A-Za-z0-9_-]", "_", signature.__name__)[:64] or "outputs"
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}


class SchemaJSONAdapter(dspy.JSONAdapter):
    """A ``dspy.JSONAdapter`` that sends the full output schema on every call.

    Args:
        dialect: ``json_schema`` (vLLM, OpenAI), ``json_object_schema`` (llama.cpp server),
            ``json_object`` (JSON mode only) or ``none`` (DSPy's own behaviour).
        max_text_chars: ``maxLength`` for free-text string fields; None for no cap.
        max_list_items: ``maxItems`` for list fields; None for no cap (a tiny model can repeat list items
            until ``max_tokens`` runs out).

    Example:
        >>> dspy.configure(adapter=SchemaJSONAdapter("json_object_schema", max_text_chars=300))
    """

    def __init__(
        self,
        dialect: str = "json_schema",
        max_text_chars: int | None = None,
        callbacks=None,
        max_list_items: int | None = None,
    ) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"unknown schema dialect {dialect!r}; known: {', '.join(DIALECTS)}")
        # Tools are described in the schema, never sent as native function calls.
        super().__init__(callbacks=callbacks, use_native_function_calling=False)
        self.dialect = dialect
        self.max_text_chars = max_text_chars
        self.max_list_items = max_list_items

    def __call__(self, lm, lm_kwargs, signature, demos, inputs):
        with calling(", ".join(signature.output_fields)):
            try:
                return super().__call__(lm, lm_kwargs, signature, demos, inputs)
            except Exception as err:
                _forget_unusable_answer(err)
                raise

    async def acall(self, lm, lm_kwargs, signature, demos, inputs):
        with calling(", ".join(signature.output_fields)):
            try:
                return await super().acall(lm, lm_kwargs, signature, demos, inputs)
            except Exception as err:
                _forget_unusable_answer(err)
                raise

    def _call_postprocess(self, processed_signature, original_signature, outputs, lm, lm_kwargs):
        call = last_call()
        if call is not None and call.finish_reason == "length":  # json_repair would "complete" a cut-off answer
            raise AdapterParseError(
                adapter_name=type(self).__name__,
                signature=original_signature,
                lm_response=call.completion or "",
                message="The LM response was cut off at max_tokens (finish_reason 'length').",
            )
        return super()._call_postprocess(processed_signature, original_signature, outputs, lm, lm_kwargs)

    def _prepare_response_format(self, lm, lm_kwargs, signature) -> None:
        if self.dialect == "none":
            super()._prepare_response_format(lm, lm_kwargs, signature)
            return
        if "response_format" in lm_kwargs:  # the caller chose one for this call
            return
        lm_kwargs["response_format"] = response_format_for(
            signature, self.dialect, self.max_text_chars, self.max_list_items
        )


def _forget_unusable_answer(err: Exception) -> None:
    """Take the answer that failed to parse out of DSPy's cache (the call's request is known to ``TranscriptLM``)."""
    request = last_request() if is_format_error(err) else None
    if request is not None and forget_answer(request):
        logger.debug("an answer that could not be parsed was removed from the LM cache")
