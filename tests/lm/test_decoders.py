"""The ReAct step schema is one that real constrained decoders accept and enforce per tool.

- llama.cpp (the embedded server, ``json_object`` + schema): llama-cpp-python converts it to a grammar;
- vLLM's ``guidance`` backend (llguidance): it compiles, admits ``{}`` for the examination and ``finish``,
  ``{"tests": [...]}`` for labs, region and modality for imaging, and rejects every other argument set. Skipped
  when llguidance is not installed (it is not a cdmbench dependency).
"""

from __future__ import annotations

import json

import pytest

from cdmbench.lm.adapter import response_format_for
from cdmbench.programs import CdmAgent


def _step_schema() -> dict:
    return response_format_for(CdmAgent().gather.react.signature, "json_schema", 300)["json_schema"]["schema"]


def _step(name: str, args: dict) -> str:
    return json.dumps({"next_thought": "x", "next_tool_name": name, "next_tool_args": args})


ACCEPTED = [
    _step("physical_examination", {}),
    _step("finish", {}),
    _step("laboratory_tests", {"tests": ["CBC", 50912]}),
    _step("imaging", {"region": "Abdomen", "modality": "CT"}),
]
REJECTED = [
    _step("physical_examination", {"tests": [], "region": "", "modality": ""}),  # the old all-arguments form
    _step("imaging", {"region": "Abdomen"}),
    _step("finish", {"reason": "done"}),
]


def test_llama_cpp_builds_a_grammar_with_one_branch_per_argument_set():
    llama_grammar = pytest.importorskip("llama_cpp.llama_grammar")
    gbnf = llama_grammar.json_schema_to_gbnf(json.dumps(_step_schema()))
    assert "next-tool-args ::= next-tool-args-0 | next-tool-args-1 | next-tool-args-2" in gbnf
    assert 'next-tool-args-0 ::= "{" space  "}" space' in gbnf
    fmt = response_format_for(CdmAgent().gather.react.signature, "json_object_schema", 300)
    assert fmt["type"] == "json_object"
    assert pytest.importorskip("llama_cpp").LlamaGrammar.from_json_schema(json.dumps(fmt["schema"]), verbose=False)


def test_llguidance_admits_each_tool_with_its_own_arguments_only():
    llguidance = pytest.importorskip("llguidance")

    class ByteTokenizer:
        def __init__(self) -> None:
            self.tokens = [bytes([i]) for i in range(256)] + [b"<eos>"]
            self.eos_token_id, self.bos_token_id, self.special_token_ids = 256, None, [256]

        def __call__(self, text):
            return list(text.encode() if isinstance(text, str) else text)

    tokenizer = llguidance.LLTokenizer(llguidance.TokenizerWrapper(ByteTokenizer()))
    grammar = llguidance.grammar_from("json_schema", json.dumps(_step_schema()))
    assert llguidance.LLMatcher.validate_grammar(grammar) == ""

    def admitted(text: str) -> bool:
        matcher = llguidance.LLMatcher(tokenizer, grammar)
        data = list(text.encode())
        return matcher.try_consume_tokens(data) == len(data) and matcher.is_accepting()

    assert all(admitted(text) for text in ACCEPTED)
    assert not any(admitted(text) for text in REJECTED)
