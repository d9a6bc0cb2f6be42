"""Ask an OpenAI-compatible server which models it serves (``GET {api_base}/models``)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from cdmbench.lm._errors import LMServerError

__all__ = ["check_served_model", "list_served_models"]


def list_served_models(api_base: str, timeout_s: float = 5.0, api_key: str | None = None) -> list[str]:
    """The model ids the server at ``api_base`` serves.

    Raises:
        OSError: the server does not answer (connection refused, timeout, HTTP error).
        ValueError: the answer is not an OpenAI ``/models`` list.
    """
    parts = urllib.parse.urlsplit(api_base)
    netloc = parts.netloc.rpartition("@")[2]  # urllib cannot send URL user info: it becomes Basic auth below
    url = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path.rstrip("/") + "/models", parts.query, ""))
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    elif parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        payload = json.loads(response.read())
    try:
        return [str(item["id"]) for item in payload["data"]]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"unexpected /models answer: {str(payload)[:200]}") from exc


def check_served_model(api_base: str, served_name: str, timeout_s: float = 10.0, api_key: str | None = None) -> None:
    """Fail fast, with the fix in the message, if the server is down or does not serve ``served_name``.

    Raises:
        LMServerError: the server does not answer, or lists models but not ``served_name``.
    """
    try:
        served = list_served_models(api_base, timeout_s, api_key)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise LMServerError(
                f"the LM server at {api_base} refused the request (HTTP {exc.code}); set lm.api_key_env to the "
                "name of the environment variable that holds its key."
            ) from None
        return  # some servers do not implement /models; the first call will tell
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise LMServerError(
            f"no LM server answers at {api_base} ({reason}). Start one (e.g. `cdmbench serve model=<preset>` on "
            "a GPU machine) or fix lm.api_base."
        ) from None
    if served and served_name not in served:
        raise LMServerError(
            f"the LM server at {api_base} serves {served}, not {served_name!r}; set lm.model (or lm.preset) to "
            "the served name."
        )
