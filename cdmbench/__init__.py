"""cdmbench: an open benchmark of LLM clinical decision-making, written as DSPy programs."""

__version__ = "0.1.0"
